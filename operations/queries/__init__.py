"""Read-side queries (selectors) for pages: every join or aggregate a page needs lives in this package.

lists.py: the filtered lists (/operations/, /results/, /countries/, a country page) and their totals; compare.py:
/compare/; dashboards.py: an operation's dashboard; provenance.py: each figure's footnote (its reports), for both;
overview.py: the home page's series; history.py: corrections, concurrent edits and deleted operations. Import them
from here: `from operations import queries`.
"""

from .compare import (  # noqa: F401
    COMPARE_CHOICES_SHOWN,
    compare_choices,
    comparison,
)
from .dashboards import (  # noqa: F401
    Breakdown,
    CountryRow,
    Headline,
    OperationDashboard,
    operation_dashboard,
    operation_name,
    unattributed_remainder,
)
from .history import (  # noqa: F401
    changes_since,
    deleted_operations,
    last_correction,
    last_correction_annotations,
    latest_correction_of,
)
from .lists import (  # noqa: F401
    countries_for_filtering,
    country_by_iso2,
    country_list_totals,
    country_resolver,
    country_results,
    country_rows,
    country_totals,
    figure_totals,
    kept_country_totals,
    latest_operation_names,
    operation_rows,
    operation_totals,
    operations_for_filtering,
    operations_selected_by,
    participating_countries,
    result_totals,
    results_for_filtering,
)
from .overview import (  # noqa: F401
    LATEST_OPERATIONS,
    Overview,
    SeriesRow,
    _grouped_region_and_country_rows,
    _kept_region_and_country_rows,
    overview,
)
from .provenance import (  # noqa: F401
    FigureNote,
    FigureNotes,
    Report,
    ReportedValue,
    reports_of,
)
