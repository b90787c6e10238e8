"""One django-tables2 Table per list: base.py (TrackerTable: caption, totals footer, paging, rows in one pass),
columns.py (figure, text and link columns; NULLS LAST sorting), lists.py (the lists' tables and the cells an
operation's name carries). Import them from here: `from operations import tables`."""

from .base import ALLOWED_PER_PAGE, DEFAULT_PER_PAGE, TrackerTable  # noqa: F401
from .columns import FastColumn, FigureColumn, LinkedColumn, figure_columns, figure_total_html, nulls_last  # noqa: F401
from .lists import (  # noqa: F401
    CountryTable,
    OperationTable,
    ResultTable,
    coordinator_html,
    period_html,
    unverified_badge,
)
