"""Table exports. Which rows to export is the filterset's and the table's business (views); this package only writes
them.

specs.py: what an export column and a table's export are, and how their rows are read; columns.py: every table's
columns, derived from METRICS; escaping.py: formula-injection escaping; writers.py: the streaming CSV writer (UTF-8
BOM), XLSX up to a row limit, the data package zip, and file names that say what a file holds; xlsx.py: the streamed
XLSX writer; dictionary.py: the data dictionary (/about/data/). Import them from here: `from operations import exports`.
"""

from .columns import (  # noqa: F401
    COUNTRIES,
    COUNTRY_COLUMNS,
    COUNTRY_RESULTS,
    OPERATION_COLUMNS,
    OPERATIONS,
    PARTICIPATION_COLUMNS,
    RESULTS,
    SPECS,
    figure_columns,
    total_columns,
)
from .dictionary import (  # noqa: F401
    METRIC_DEFINITIONS,
    QUALIFIER_DEFINITIONS,
    data_dictionary,
)
from .escaping import (  # noqa: F401
    FORMULA_TRIGGERS,
    escape_formula,
    escape_rows,
)
from .specs import (  # noqa: F401
    BOOLEAN,
    CODE,
    DATE,
    INTEGER,
    KIND_DEFINITIONS,
    LOOKUP_BATCH,
    LOOKUP_WINDOW,
    TEXT,
    URL,
    ExportColumn,
    ExportSpec,
    ResultsExportSpec,
    TotalsExportSpec,
)
from .writers import (  # noqa: F401
    BOM,
    CHUNK_SIZE,
    CSV_CONTENT_TYPE,
    XLSX_CONTENT_TYPE,
    ZIP_CONTENT_TYPE,
    csv_chunks,
    csv_fragment,
    csv_response,
    export_filename,
    in_transaction,
    package_response,
    stream_csv,
    stream_csv_chunks,
    xlsx_max_rows,
    xlsx_response,
)
