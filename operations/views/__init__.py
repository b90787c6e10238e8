"""Thin class-based views, NetBox-style: each names its queryset (queries), FilterSet, Table and export spec.

generic.py: the filterable, sortable, paginated table view every list shares; export.py: its CSV/XLSX/data-package
export; lists.py: the lists and a country's page; dashboards.py: the overview and an operation's dashboard;
pages.py: /compare/ and the data dictionary; errors.py: the health check and the error pages.
"""

from .dashboards import (  # noqa: F401
    OperationDashboardView,
    OverviewView,
)
from .errors import (  # noqa: F401
    bad_request,
    healthz,
    page_not_found,
    permission_denied,
    server_error,
)
from .export import (  # noqa: F401
    ExportMixin,
    package_response,
)
from .generic import (  # noqa: F401
    CountedPaginator,
    FilteredTableView,
    PagedTableMixin,
)
from .lists import (  # noqa: F401
    CountryDetailView,
    CountryListView,
    OperationListView,
    ResultListView,
)
from .pages import (  # noqa: F401
    CompareView,
    DataDictionaryView,
)
