"""Table exports: per-table column specs derived from METRICS, a streaming CSV writer (UTF-8 BOM, formula-injection
escaping), XLSX up to a row limit, and file names that say what a file holds. Which rows to export is the filterset's
and the table's business (views.py); this module only writes them."""

from __future__ import annotations

import csv
import itertools
import operator
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import connections, transaction
from django.db.models import Case, Value, When
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .figures import TOTAL_PARTS, Figure, Metric, Qualifier, read_total
from .models import METRICS, Country, Operation, Region, Role, Source

# Rows fetched from the database per round trip, and rows per chunk of the streamed response (about 400 KB of CSV
# for the results table): few enough chunks that per-chunk costs vanish, small enough to keep memory flat.
CHUNK_SIZE = 2000

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Excel reads a UTF-8 file without a byte order mark as the local ANSI code page ("CuraÃ§ao"); with one, it reads
# UTF-8. Python's csv module reads it with encoding="utf-8-sig" (which also reads files without one).
BOM = "\ufeff"

# A text cell starting with one of these is run as a formula by Excel, LibreOffice and Google Sheets ("CSV
# injection"); a leading apostrophe makes it text. OWASP's list: = + - @ and the tab and carriage return that some
# spreadsheets skip before looking for them.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# A spreadsheet that splits on ";" or tab (European Excel opens a .csv with its list separator ";") ignores the
# comma file's quotes, so "FXS;=2+2;" becomes a cell "=2+2". A trigger after any separator or line break inside the
# text, or after leading spaces (past spaces and quotes, which readers trim or take as the start of a quoted cell), gets
# the apostrophe too.
_EMBEDDED_TRIGGER = re.compile(r"""((?:^|[,;\t\r\n])[\s"]*)(?=[=+\-@])""")

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
_ESCAPED_KINDS = {TEXT, CODE, URL}


def escape_formula(value):
    """A text cell that a spreadsheet would run as a formula, with a leading apostrophe, and an apostrophe before
    every trigger that splitting on `,`, `;`, tab or a line break (or trimming spaces) would put at the start of a
    cell; anything else unchanged."""
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_TRIGGERS):
        value = "'" + value
    return _EMBEDDED_TRIGGER.sub(r"\1'", value)


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
        """Every row of the queryset, streamed from the database `chunk_size` rows at a time, text cells escaped."""
        return escape_rows(self.values(queryset).iterator(chunk_size=chunk_size), self.escaped_indexes)

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


# Rows of the results export read per round of related-row lookups: enough that the lookups' queries are few (about
# 100 per million rows), few enough that the rows held meanwhile stay a few megabytes.
LOOKUP_WINDOW = 10_000
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
        rows = self.model._base_manager.using(using)
        for batch in itertools.batched(missing, LOOKUP_BATCH):
            for pk, *values in rows.filter(pk__in=batch).values_list("pk", *fields):
                values = [
                    escape_formula(value) if is_text else value for value, is_text in zip(values, escaped, strict=True)
                ]
                cells[pk] = csv_fragment(values) + self.separator


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


def escape_rows(rows: Iterable[tuple], indexes: tuple[int, ...]) -> Iterator[tuple]:
    """Escape formula triggers in the text cells at `indexes`. A row is copied only when one of them needs it, which
    almost none do."""
    triggers, embedded = FORMULA_TRIGGERS, _EMBEDDED_TRIGGER.search
    for row in rows:
        for index in indexes:
            value = row[index]
            if value and (value.startswith(triggers) or embedded(value)):
                row = tuple(escape_formula(value) if i in indexes else value for i, value in enumerate(row))
                break
        yield row


# --- Column specs, derived from METRICS -----------------------------------------------------------------------


def figure_columns() -> list[ExportColumn]:
    """Value, qualifier and source URL of the preferred figure, for each metric in METRICS, in that order. All three
    are kept on the row (services.refresh_preferred_figures), so the URL is a join on the source's primary key: the
    correlated lookup of the preferred ReportedFigure it replaced was half the export's query time."""
    columns = []
    for metric in METRICS:
        columns += [
            ExportColumn(
                metric.value,
                metric.value,
                INTEGER,
                format_lazy(
                    _("{metric}: the preferred figure as a plain whole number; empty when no source gives it."),
                    metric=metric.label,
                ),
            ),
            ExportColumn(
                f"{metric.value}_qualifier",
                f"{metric.value}_qualifier",
                CODE,
                format_lazy(
                    _("How the source qualifies {metric} (a qualifier code below); empty when the figure is unknown."),
                    metric=metric.label,
                ),
            ),
            ExportColumn(
                f"{metric.value}_source_url",
                f"{metric.value}_source__url",
                URL,
                format_lazy(_("Where the preferred {metric} figure was published."), metric=metric.label),
            ),
        ]
    return columns


def _choices(choices) -> str:
    return ", ".join(choices.values)


OPERATION_COLUMNS = (
    ExportColumn("operation", "name", TEXT, _("The operation's name.")),
    ExportColumn("operation_slug", "slug", CODE, _("The operation's stable identifier, as in its page address.")),
    ExportColumn("year", "year", INTEGER, _("The year the operation took place.")),
    ExportColumn("start_date", "start_date", DATE, _("First day of the operation (of its first phase).")),
    ExportColumn("end_date", "end_date", DATE, _("Last day of the operation.")),
    ExportColumn("coordinator", "coordinator", TEXT, _("Who led or coordinated it (INTERPOL, Europol, ...).")),
    ExportColumn("area", "area", TEXT, _("The region as the sources name it.")),
    ExportColumn(
        "countries_reported",
        "countries_reported",
        INTEGER,
        _("The number of participating countries the sources report, which may exceed those they name."),
    ),
    ExportColumn(
        "countries_named",
        "countries_named",
        INTEGER,
        _("The number of participating countries the tracker names (rows in the results table)."),
    ),
    ExportColumn(
        "verified",
        "export_verified",
        BOOLEAN,
        _("false when the only source is a secondary report not checked against the agency's release."),
        expression=Case(When(is_verified=True, then=Value("true")), default=Value("false")),
    ),
)

COUNTRY_COLUMNS = (
    ExportColumn("country", "country__name", TEXT, _("The country's English short name (ISO 3166-1).")),
    ExportColumn("country_iso2", "country__iso2", CODE, _("ISO 3166-1 alpha-2 code.")),
    ExportColumn("country_iso3", "country__iso3", CODE, _("ISO 3166-1 alpha-3 code.")),
    ExportColumn(
        "region",
        "country__region",
        CODE,
        format_lazy(_("UN M49 region: {choices}."), choices=_choices(Region)),
    ),
)

PARTICIPATION_COLUMNS = (
    ExportColumn("operation", "operation__name", TEXT, _("The operation's name.")),
    ExportColumn("operation_slug", "operation__slug", CODE, _("The operation's stable identifier.")),
    ExportColumn("year", "operation__year", INTEGER, _("The year the operation took place.")),
    *COUNTRY_COLUMNS,
    ExportColumn(
        "role",
        "role",
        CODE,
        format_lazy(_("The country's part in the operation: {choices}."), choices=_choices(Role)),
    ),
)

OPERATIONS = ExportSpec(
    "operations",
    _("Operations"),
    _("One row per operation, with its operation-wide figures."),
    (*OPERATION_COLUMNS, *figure_columns()),
)
RESULTS = ResultsExportSpec(
    "results",
    _("Results by country"),
    _("One row per country taking part in an operation, with the figures a source gives for that country."),
    (*PARTICIPATION_COLUMNS, *figure_columns()),
)
# A country's page and an operation's page list the same rows as the results table, narrowed to one country or one
# operation; their files keep every column so they can be stacked with a results export.
COUNTRY_RESULTS = ResultsExportSpec(
    "country_results",
    _("A country's operations"),
    _("The results table narrowed to one country (its page)."),
    RESULTS.columns,
)


def total_columns() -> list[ExportColumn]:
    """Per metric: the total of the known figures, its qualifier, and how many figures are known and unknown."""
    columns = []
    for metric in METRICS:
        label = metric.label
        columns += [
            ExportColumn(
                metric.value,
                f"{metric.value}_sum",
                INTEGER,
                format_lazy(
                    _("{metric}: the sum of the figures known for this country's operations; empty when none is."),
                    metric=label,
                ),
            ),
            ExportColumn(
                f"{metric.value}_qualifier",
                f"{metric.value}_qualifier",
                CODE,
                format_lazy(
                    _(
                        "How to read the {metric} total: at_least when a part is unknown or a lower bound, approx when "
                        "a part is approximate, else exact."
                    ),
                    metric=label,
                ),
            ),
            ExportColumn(
                f"{metric.value}_known_parts",
                f"{metric.value}_known",
                INTEGER,
                format_lazy(_("How many of this country's operations give a {metric} figure."), metric=label),
            ),
            ExportColumn(
                f"{metric.value}_unknown_parts",
                f"{metric.value}_unknown",
                INTEGER,
                format_lazy(
                    _("How many of this country's operations give no {metric} figure (not counted as zero)."),
                    metric=label,
                ),
            ),
        ]
    return columns


_COUNTRY_LIST_LEADING = (
    ExportColumn("country", "name", TEXT, _("The country's English short name (ISO 3166-1).")),
    ExportColumn("country_iso2", "iso2", CODE, _("ISO 3166-1 alpha-2 code.")),
    ExportColumn("country_iso3", "iso3", CODE, _("ISO 3166-1 alpha-3 code.")),
    ExportColumn("region", "region", CODE, format_lazy(_("UN M49 region: {choices}."), choices=_choices(Region))),
    ExportColumn("subregion", "subregion", TEXT, _("UN M49 sub-region.")),
    ExportColumn("operations", "operations_count", INTEGER, _("The number of operations the country took part in.")),
)
COUNTRIES = TotalsExportSpec(
    "countries",
    _("Countries"),
    _(
        "One row per country that took part in an operation, with its totals across those operations. A total has no "
        "single source: export the results table for each figure's source."
    ),
    (*_COUNTRY_LIST_LEADING, *total_columns()),
    leading=len(_COUNTRY_LIST_LEADING),
)

SPECS = [OPERATIONS, RESULTS, COUNTRIES, COUNTRY_RESULTS]


# --- Writers --------------------------------------------------------------------------------------------------


class _Lines(list):
    """What csv.writer writes to: lines collected in a list and joined once per chunk cost about a fifth less CPU than
    a StringIO rewound every chunk (measured on 1,000,000 results rows)."""

    write = list.append

    def take(self) -> str:
        text = "".join(self)
        self.clear()
        return text


def csv_fragment(cells) -> str:
    """Cells as csv.writer writes them in a row (quoted where needed), without the line end. An empty single cell is
    an empty string (csv.writer would write `""` for a row of one empty cell)."""
    if len(cells) == 1 and cells[0] in (None, ""):
        return ""
    lines = _Lines()
    csv.writer(lines, lineterminator="").writerow(cells)
    return lines.take()


def csv_chunks(rows: Iterable[tuple], *, chunk_size: int = CHUNK_SIZE) -> Iterator[tuple[str, int]]:
    """Rows as CSV text (RFC 4180: comma, double quotes where needed, CRLF line ends), as (text, row count) pairs
    of `chunk_size` rows."""
    lines = _Lines()
    writer = csv.writer(lines)
    for batch in itertools.batched(rows, chunk_size):
        writer.writerows(batch)
        yield lines.take(), len(batch)


def stream_csv(
    headers: list[str],
    rows: Iterable[tuple],
    *,
    bom: bool = True,
    on_finish: Callable[[int, BaseException | None], None] | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> Iterator[bytes]:
    """`stream_csv_chunks` for rows written by csv.writer."""
    return stream_csv_chunks(headers, csv_chunks(rows, chunk_size=chunk_size), bom=bom, on_finish=on_finish)


def stream_csv_chunks(
    headers: list[str],
    chunks: Iterable[tuple[str, int]],
    *,
    bom: bool = True,
    on_finish: Callable[[int, BaseException | None], None] | None = None,
) -> Iterator[bytes]:
    """The CSV file as a stream of UTF-8 chunks: the header line first (so the download starts at once, before the
    database has sorted anything), then each (text, row count) chunk.

    An error after the first chunk cannot become an HTTP error any more, and error text inside a 200 CSV would look
    like data. So the error is re-raised: the WSGI server then drops the connection without the final empty chunk of
    HTTP/1.1 chunked encoding, and the browser, curl or requests report the download as failed instead of saving a
    short file that looks complete. `on_finish(rows_sent, error)` is called once either way (error is None on
    success), before the error propagates."""
    count = 0
    try:
        yield ((BOM if bom else "") + csv_fragment(headers) + "\r\n").encode("utf-8")
        for text, rows in chunks:
            count += rows
            yield text.encode("utf-8")
    except BaseException as error:  # including GeneratorExit: the client went away before the end
        # Close the chunks first: a transaction they hold open (in_transaction) ends before on_finish writes the
        # export log, which would otherwise be rolled back with it.
        if hasattr(chunks, "close"):
            chunks.close()
        if on_finish is not None:
            on_finish(count, error)
        raise
    if on_finish is not None:
        on_finish(count, None)


def in_transaction(chunks: Iterable, using: str) -> Iterator:
    """The chunks read inside one transaction. Outside one, Django declares PostgreSQL's server-side cursor WITH
    HOLD, which copies every row of the result aside before the first is sent (0.9 s of a 1,000,000-row export
    before its first row, measured); inside one, rows stream from the index as they are read. On PostgreSQL the
    transaction is REPEATABLE READ, so that the lookups of operations, countries and sources (later statements) see
    the snapshot the rows come from, even if an editor deletes or renames one meanwhile."""
    connection = connections[using]
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql" and len(connection.atomic_blocks) == 1:  # first statement, outermost
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield from chunks


def csv_response(spec: ExportSpec, queryset, filename: str, *, bom: bool = True, on_finish=None):
    """A streamed CSV download of the queryset's rows in its order."""
    chunks = in_transaction(spec.csv_chunks(queryset), queryset.db)
    response = StreamingHttpResponse(
        stream_csv_chunks(spec.headers, chunks, bom=bom, on_finish=on_finish),
        content_type=CSV_CONTENT_TYPE,
    )
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    return response


# openpyxl refuses control characters other than tab, LF and CR in cells.
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def xlsx_max_rows() -> int:
    return settings.EXPORT_XLSX_MAX_ROWS


def xlsx_response(spec: ExportSpec, queryset, filename: str, *, on_finish=None):
    """An XLSX download of the queryset's rows (the caller checks the row limit first). Written by openpyxl's
    write-only mode to a temporary file and sent from there, so memory does not grow with the rows."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=spec.name[:31])
    sheet.append(spec.headers)
    count = 0
    escaped = set(spec.escaped_indexes)
    try:
        for row in spec.rows(queryset):
            # Escape again after removing what openpyxl refuses: "\x01=1+1" would otherwise become a formula.
            sheet.append(
                [
                    escape_formula(_XLSX_ILLEGAL.sub("", value)) if i in escaped and value else value
                    for i, value in enumerate(row)
                ]
            )
            count += 1
        file = tempfile.TemporaryFile(suffix=".xlsx")
        workbook.save(file)
        file.seek(0)
    except Exception as error:
        if on_finish is not None:
            on_finish(count, error)
        raise
    if on_finish is not None:
        on_finish(count, None)
    return FileResponse(file, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)


# --- File names -----------------------------------------------------------------------------------------------

_MAX_FILTER_PART = 120


def _ascii(text: str, allowed: str) -> str:
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(rf"[^{allowed}]+", "-", text).strip("-._")[:40]


def export_filename(table: str, filters: Iterable[tuple[str, str]], extension: str, day: date | None = None) -> str:
    """`results_country-BR_2026-11-22.csv`: the table, each filter as name-value, and the date. ASCII letters,
    digits, `-`, `_` and `.` only, whatever the filter values hold (accents are dropped, "São Tomé" -> "Sao-Tome")."""
    day = day or timezone.localdate()
    parts = []
    for name, value in filters:
        name, value = _ascii(name, "A-Za-z0-9_"), _ascii(value, "A-Za-z0-9")
        if name and value:
            parts.append(f"{name}-{value}")
    filter_part = "_".join(parts)[:_MAX_FILTER_PART].rstrip("-_.")
    stem = "_".join(part for part in (_ascii(table, "A-Za-z0-9_") or "export", filter_part, day.isoformat()) if part)
    return f"{stem}.{extension}"


# --- The data dictionary --------------------------------------------------------------------------------------

METRIC_DEFINITIONS = {
    Metric.VICTIMS_RESCUED: _(
        "People the source says were rescued as victims (or potential victims) of trafficking. Where a release says "
        "'identified' or 'safeguarded' instead, that count is recorded here and the operation's notes say so."
    ),
    Metric.ARRESTS: _(
        "People arrested (detained, apprehended) during the operation, for any offence the source counts."
    ),
    Metric.INVESTIGATIONS_OPENED: _("New investigations the source says the operation opened or triggered."),
    Metric.MIGRANTS_IDENTIFIED: _(
        "Irregular migrants identified or detected during the operation (not victims, unless the source says so)."
    ),
}

QUALIFIER_DEFINITIONS = {
    Qualifier.EXACT: _("The source gives the number plainly (even a round one)."),
    Qualifier.APPROX: _("The source says nearly, about, some, close to: the true number may be a little either way."),
    Qualifier.AT_LEAST: _("The source says at least, or 250+: the true number may be higher."),
    Qualifier.MORE_THAN: _("The source says more than, or over: the true number is higher."),
}


def data_dictionary() -> dict:
    """Everything the /about/data/ page defines, generated from the export specs, METRICS and Qualifier."""
    example = 700
    return {
        "tables": [
            {
                "spec": spec,
                "columns": [
                    {
                        "header": c.header,
                        "kind": c.kind,
                        "description": c.description,
                        "escaped": c.kind in _ESCAPED_KINDS,
                    }
                    for c in spec.columns
                ],
            }
            for spec in SPECS
        ],
        "metrics": [
            {"code": metric.value, "label": metric.label, "definition": METRIC_DEFINITIONS[metric]}
            for metric in METRICS
        ],
        "qualifiers": [
            {
                "code": qualifier.value,
                "label": qualifier.label,
                "definition": QUALIFIER_DEFINITIONS[qualifier],
                "example": str(Figure(example, qualifier)),
            }
            for qualifier in Qualifier
        ],
        "kinds": [{"code": kind, "definition": definition} for kind, definition in KIND_DEFINITIONS.items()],
        "formula_triggers": [{"\t": _("tab"), "\r": _("carriage return")}.get(t, t) for t in FORMULA_TRIGGERS],
        "xlsx_max_rows": xlsx_max_rows(),
    }


ZIP_CONTENT_TYPE = "application/zip"


def package_response(operations, filename: str, *, on_finish=None):
    """A streamed zip of the data package of `operations` (operations/datapackage.py), read in one transaction. The
    export log counts the data rows of its four files."""
    from . import datapackage

    counts = {}
    chunks = in_transaction(datapackage.zip_chunks(operations, counts=counts), operations.db)

    def stream():
        try:
            yield from chunks
        except BaseException as error:  # including GeneratorExit: the client went away before the end
            chunks.close()  # ends the transaction before the log is written (it would be rolled back with it)
            if on_finish is not None:
                on_finish(sum(counts.values()), error)
            raise
        if on_finish is not None:
            on_finish(sum(counts.values()), None)

    response = StreamingHttpResponse(stream(), content_type=ZIP_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    return response
