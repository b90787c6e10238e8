"""What an export column and a table's export are, and how their rows are read (plain, totals, results)."""

from __future__ import annotations

import itertools
import operator
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from ..figures import TOTAL_PARTS, Qualifier, read_total
from ..models import METRICS, Country, Operation, Role, Source
from .escaping import escape_formula, escape_rows
from .writers import CHUNK_SIZE, csv_chunks, csv_fragment, fragment_writer

# Kinds of column: how a value is written, and what the data dictionary says about it.
TEXT, CODE, URL, INTEGER, DATE, BOOLEAN = "text", "code", "url", "integer", "date", "boolean"
KIND_DEFINITIONS = {
    TEXT: _("Text as recorded, in UTF-8."),
    CODE: _("A fixed code from the list this dictionary gives; the same in every language."),
    URL: _("A web address; empty when there is none."),
    INTEGER: _("A whole number written plainly (1234, no separators, no qualifier); empty means unknown, never zero."),
    DATE: _("A date as YYYY-MM-DD (ISO 8601); empty when unknown."),
    BOOLEAN: _("true or false."),
}
# Cells of these kinds are strings and are escaped; numbers, dates and booleans are never altered.
# How a boolean field is written (a field read straight from the database, not through a column's expression).
BOOLEAN_TEXT = {True: "true", False: "false", None: ""}
_ESCAPED_KINDS = {TEXT, CODE, URL}


@dataclass(frozen=True)
class ExportColumn:
    """One column of an export: its machine-friendly English header, where its value comes from and what it means."""

    header: str
    lookup: str
    kind: str
    description: str
    # An annotation added to the queryset under `lookup` (e.g. the preferred figure's source URL).
    expression: object = None


@dataclass(frozen=True)
class ExportSpec:
    """The columns one table exports. Headers are English snake_case whatever the interface language."""

    name: str
    title: str
    description: str
    columns: tuple[ExportColumn, ...]

    @property
    def headers(self) -> list[str]:
        return [column.header for column in self.columns]

    def values(self, queryset):
        """The queryset as tuples of this export's columns, in its order: one query, no model instances."""
        annotations = {column.lookup: column.expression for column in self.columns if column.expression is not None}
        return queryset.annotate(**annotations).values_list(*(column.lookup for column in self.columns))

    def rows(self, queryset, *, chunk_size: int = CHUNK_SIZE) -> Iterator[tuple]:
        """Every row of the queryset, streamed from the database `chunk_size` rows at a time, text cells escaped and
        boolean fields written true or false."""
        rows = self.values(queryset).iterator(chunk_size=chunk_size)
        booleans = tuple(
            i for i, column in enumerate(self.columns) if column.kind == BOOLEAN and column.expression is None
        )
        if booleans:
            rows = (tuple(BOOLEAN_TEXT[v] if i in booleans else v for i, v in enumerate(row)) for row in rows)
        return escape_rows(rows, self.escaped_indexes)

    def csv_chunks(self, queryset, *, chunk_size: int = CHUNK_SIZE) -> Iterator[tuple[str, int]]:
        """The CSV lines of every row (no header), as (text, row count) pairs of `chunk_size` rows."""
        return csv_chunks(self.rows(queryset, chunk_size=chunk_size), chunk_size=chunk_size)

    @property
    def escaped_indexes(self) -> tuple[int, ...]:
        return tuple(i for i, column in enumerate(self.columns) if column.kind in _ESCAPED_KINDS)


@dataclass(frozen=True)
class TotalsExportSpec(ExportSpec):
    """A table whose figures are totals over several rows (a country across its operations). The query fetches the
    parts of each total (figures.TOTAL_PARTS, and `count`, the rows' count of parts); each total's value and
    qualifier come from FigureTotal, the one place that knows that an unknown or "at least" part makes a total a
    lower bound."""

    leading: int = 0  # how many columns come straight from the query before the per-metric totals
    count: str = "operations_count"

    def values(self, queryset):
        lookups = [column.lookup for column in self.columns[: self.leading]]
        parts = [f"{metric.value}_{part}" for metric in METRICS for part in TOTAL_PARTS]
        return queryset.values_list(*lookups, self.count, *parts)

    def rows(self, queryset, *, chunk_size: int = CHUNK_SIZE) -> Iterator[tuple]:
        leading, count, size = self.leading, self.count, len(TOTAL_PARTS)

        def with_totals(rows):
            for row in rows:
                cells = list(row[:leading])
                for index, metric in enumerate(METRICS):
                    start = leading + 1 + size * index
                    names = (f"{metric.value}_{part}" for part in TOTAL_PARTS)
                    parts = dict(zip(names, row[start : start + size], strict=True))
                    total = read_total({count: row[leading], **parts}, metric, count=count)
                    known = total.parts - total.unknown_parts
                    cells += [
                        total.value,
                        str(total.qualifier) if total.value is not None else "",
                        known,
                        total.unknown_parts,
                    ]
                yield tuple(cells)

        return escape_rows(with_totals(self.values(queryset).iterator(chunk_size=chunk_size)), self.escaped_indexes)


# Rows of the results export read per round of related-row lookups (one chunk): the lookups' queries stay few, as
# most windows' operations and countries are already known. A window of 10,000 rows was no faster (1,000,000 rows:
# 4.7-5.9 s against 5.2-6.4 s) and left a worker 6.5 MB larger after the export: Python keeps the memory arenas its
# hundreds of thousands of cell objects were spread over (docs/performance.md "Memory").
LOOKUP_WINDOW = 2000
LOOKUP_BATCH = 1000  # keys per lookup query: SQLite limits a query's parameters


@dataclass(frozen=True)
class _RelatedCells:
    """Renders the CSV cells of related rows (an operation's name, slug and year) once per row, into a plain dict
    from primary key to cells (plain: the row writer's lookups in it are the export's innermost loop)."""

    model: type
    columns: tuple[ExportColumn, ...]
    prefix: str = ""
    separator: str = ","  # written after the cells: the next cell's separator

    def load(self, cells: dict, keys: set, using: str) -> None:
        """Add the cells of the keys not in `cells` yet, from database `using` (the rows' own, so in their
        transaction), in as few queries as the batch size allows."""
        missing = keys.difference(cells)
        missing.discard(None)
        if not missing:
            return
        fields = [column.lookup.removeprefix(self.prefix) for column in self.columns]
        escaped = [column.kind in _ESCAPED_KINDS for column in self.columns]
        boolean = [column.kind == BOOLEAN for column in self.columns]
        # Unordered (the model's default order would be sorted and compiled for nothing), and one csv.writer for
        # every row of the round: the lookups were a quarter of a results export's CPU.
        rows = self.model._base_manager.using(using).order_by()
        fragment = fragment_writer()
        for batch in itertools.batched(missing, LOOKUP_BATCH):
            for pk, *values in rows.filter(pk__in=batch).values_list("pk", *fields):
                values = [
                    escape_formula(value) if is_text else BOOLEAN_TEXT[value] if is_boolean else value
                    for value, is_text, is_boolean in zip(values, escaped, boolean, strict=True)
                ]
                cells[pk] = fragment(values) + self.separator


def _compile_results_writer(metric_count: int):
    """`write(rows, operations, countries, codes, urls)`: the CSV text of result rows fetched as (operation id,
    country id, role, then value, qualifier and source id per metric). Compiled from the number of metrics, as
    dataclasses compile __init__: one f-string per row with a field per cell is a third faster than a loop over the
    metrics (2.4 against 3.5 s per million rows), and this loop runs for every exported row."""
    names = ["operation", "country", "role"]
    cells = "{operations[operation]}{countries[country]}{codes[role]}"
    for i in range(metric_count):
        names += [f"value{i}", f"qualifier{i}", f"source{i}"]
        cells += f",{{'' if value{i} is None else value{i}}},{{codes[qualifier{i}]}},{{urls[source{i}]}}"
    source = (
        "def write(rows, operations, countries, codes, urls):\n"
        f"    return ''.join([f\"{cells}\\r\\n\" for {', '.join(names)} in rows])\n"
    )
    namespace = {}
    exec(source, namespace)  # noqa: S102 - the source is built above from constants, never from input
    return namespace["write"]


@dataclass(frozen=True)
class ResultsExportSpec(ExportSpec):
    """The results table (operation, country, role, then each metric's value, qualifier and source URL), with a CSV
    writer built for a million rows: a row's operation and country cells are the same on every row of that operation
    or country, so they are rendered once each and the query fetches only the participation's own columns and keys.
    That query is a third of what the joined one cost, and the rows write 2.5 times faster than through csv.writer.
    `rows()` (XLSX, and the tests' reference) still reads the joined values; tests/test_export.py pins the two writers
    to the same bytes."""

    def __post_init__(self):
        lookups = [column.lookup for column in self.columns]
        expected = [
            *(column.lookup for column in self.operation_columns),
            *(column.lookup for column in self.country_columns),
            "role",
            *(
                lookup
                for metric in METRICS
                for lookup in (metric.value, f"{metric.value}_qualifier", f"{metric.value}_source__url")
            ),
        ]
        if lookups != expected:
            raise ValueError(f"ResultsExportSpec {self.name}: unexpected column layout {lookups}")

    @property
    def operation_columns(self) -> tuple[ExportColumn, ...]:
        return tuple(column for column in self.columns if column.lookup.startswith("operation__"))

    @property
    def country_columns(self) -> tuple[ExportColumn, ...]:
        return tuple(column for column in self.columns if column.lookup.startswith("country__"))

    def csv_chunks(self, queryset, *, chunk_size: int = CHUNK_SIZE) -> Iterator[tuple[str, int]]:
        fields = ["operation_id", "country_id", "role"]
        for metric in METRICS:
            fields += [metric.value, f"{metric.value}_qualifier", f"{metric.value}_source_id"]
        source_ids = operator.itemgetter(*range(5, len(fields), 3))
        operation_cells = _RelatedCells(Operation, self.operation_columns, "operation__")
        country_cells = _RelatedCells(Country, self.country_columns, "country__")
        url_cells = _RelatedCells(Source, (ExportColumn("url", "url", URL, ""),), separator="")
        operations, countries, urls = {}, {}, {None: ""}  # no source: the figure is unknown
        codes = {code: csv_fragment([escape_formula(code)]) for code in (*Role.values, *Qualifier.values, "", None)}
        rows = queryset.values_list(*fields).iterator(chunk_size=chunk_size)
        for window in itertools.batched(rows, max(LOOKUP_WINDOW, chunk_size)):
            operation_cells.load(operations, {row[0] for row in window}, queryset.db)
            country_cells.load(countries, {row[1] for row in window}, queryset.db)
            url_cells.load(urls, set().union(*map(source_ids, window)), queryset.db)
            for chunk in itertools.batched(window, chunk_size):
                try:
                    text = _write_results(chunk, operations, countries, codes, urls)
                except KeyError:  # a role or qualifier outside the choices: the database does not refuse one
                    for row in chunk:
                        for code in (row[2], *row[4::3]):  # the role, then each metric's qualifier
                            codes.setdefault(code, csv_fragment([escape_formula(code)]))
                    text = _write_results(chunk, operations, countries, codes, urls)
                yield text, len(chunk)


_write_results = _compile_results_writer(len(METRICS))
