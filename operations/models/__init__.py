"""Countries, operations, their participating countries, sources and the figures each source reports.

geography.py: regions, countries and their aliases; sources.py: sources and forms of exploitation; operations.py:
operations and participations with their preferred figures; figures.py: every value each source reports;
totals.py: the kept per-country and per-region aggregates; records.py: the export log and the data version;
access.py: personal API tokens and the API's rate counts;
base.py: the metric list and detail URLs. Import models from here: `from operations.models import Operation`.
"""

from .access import ApiRateCount, ApiToken  # noqa: F401
from .base import (  # noqa: F401
    METRICS,
    url_with,
)
from .figures import (  # noqa: F401
    Origin,
    ReportedFigure,
)
from .geography import (  # noqa: F401
    Country,
    CountryAlias,
    Region,
)
from .operations import (  # noqa: F401
    NEWEST_FIRST,
    DatePrecision,
    FigureMixin,
    Operation,
    OperationQuerySet,
    Participation,
    PreferredFigures,
    Role,
)
from .records import (  # noqa: F401
    DataVersion,
    ExportLog,
)
from .sources import (  # noqa: F401
    EXPLOITATION_FORMS,
    ExploitationForm,
    Source,
    source_key,
)
from .totals import (  # noqa: F401
    CountryTotal,
    RegionTotal,
)
