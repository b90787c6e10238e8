"""Writing exports: the streaming CSV writer (UTF-8 BOM), XLSX up to a row limit (written by xlsx.py), the data
package zip, file names."""

from __future__ import annotations

import contextlib
import csv
import itertools
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connections, transaction
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header

from .escaping import escape_formula
from .xlsx import ILLEGAL_CHARACTERS, write_xlsx

if TYPE_CHECKING:
    from .specs import ExportSpec


# Rows fetched from the database per round trip, and rows per chunk of the streamed response (about 400 KB of CSV
# for the results table): few enough chunks that per-chunk costs vanish, small enough to keep memory flat.
CHUNK_SIZE = 2000

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Excel reads a UTF-8 file without a byte order mark as the local ANSI code page ("CuraÃ§ao"); with one, it reads
# UTF-8. Python's csv module reads it with encoding="utf-8-sig" (which also reads files without one).
BOM = "\ufeff"


# --- Writers --------------------------------------------------------------------------------------------------


class _Lines(list):
    """What csv.writer writes to: lines collected in a list and joined once per chunk cost about a fifth less CPU than
    a StringIO rewound every chunk (measured on 1,000,000 results rows)."""

    write = list.append

    def take(self) -> str:
        text = "".join(self)
        self.clear()
        return text


def fragment_writer():
    """A function writing cells as csv.writer writes them in a row (quoted where needed), without the line end, with
    one csv.writer for every row it is given. An empty single cell is an empty string (csv.writer would write `""`
    for a row of one empty cell)."""
    lines = _Lines()
    writer = csv.writer(lines, lineterminator="")

    def fragment(cells) -> str:
        if len(cells) == 1 and cells[0] in (None, ""):
            return ""
        writer.writerow(cells)
        return lines.take()

    return fragment


def csv_fragment(cells) -> str:
    """One row's cells as fragment_writer() writes them (for a few rows; many rows share one fragment_writer())."""
    return fragment_writer()(cells)


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
    the snapshot the rows come from, even if an editor deletes or renames one meanwhile. On SQLite the transaction
    begins DEFERRED: the settings begin every other one IMMEDIATE, which takes the write lock, and editors must not
    wait for a download to finish (WAL gives the reads their snapshot without it)."""
    connection = connections[using]
    with contextlib.ExitStack() as stack:
        with _sqlite_begins_deferred(connection):
            stack.enter_context(transaction.atomic(using=using))  # BEGIN is sent here
        if connection.vendor == "postgresql" and len(connection.atomic_blocks) == 1:  # first statement, outermost
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield from chunks


@contextlib.contextmanager
def _sqlite_begins_deferred(connection):
    """A transaction begun in this block on SQLite takes no lock until it writes."""
    if connection.vendor != "sqlite":
        yield
        return
    connection.ensure_connection()  # connecting sets transaction_mode from the settings
    mode, connection.transaction_mode = connection.transaction_mode, "DEFERRED"
    try:
        yield
    finally:
        connection.transaction_mode = mode


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


def xlsx_max_rows() -> int:
    return settings.EXPORT_XLSX_MAX_ROWS


def xlsx_response(spec: ExportSpec, queryset, filename: str, *, on_finish=None):
    """An XLSX download of the queryset's rows (the caller checks the row limit first). Written by the streamed
    writer of xlsx.py to a temporary file and sent from there, so memory does not grow with the rows."""
    escaped = set(spec.escaped_indexes)
    # Escape again after the writer drops the characters XML refuses: "\x01=1+1" would otherwise become a formula.
    rows = (
        [
            escape_formula(ILLEGAL_CHARACTERS.sub("", value)) if i in escaped and value else value
            for i, value in enumerate(row)
        ]
        for row in spec.rows(queryset)
    )
    counted = _Counted(rows)
    try:
        file = tempfile.TemporaryFile(suffix=".xlsx")
        # Wide enough for each header (Excel's default of 8.43 characters cuts "victims_rescued_qualifier").
        widths = [max(10, len(header) + 2) for header in spec.headers]
        write_xlsx(file, spec.name, spec.headers, counted, widths=widths)
        file.seek(0)
    except Exception as error:
        if on_finish is not None:
            on_finish(counted.count, error)
        raise
    if on_finish is not None:
        on_finish(counted.count, None)
    response = FileResponse(file, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE)
    response["Cache-Control"] = "private, no-store"  # as the CSV: filtered data of a logged-in user
    return response


class _Counted:
    """The rows of an iterable, counting those taken (the export log's row count when the writer fails midway)."""

    def __init__(self, rows):
        self.rows, self.count = rows, 0

    def __iter__(self):
        for row in self.rows:
            yield row
            self.count += 1


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


ZIP_CONTENT_TYPE = "application/zip"


def package_response(operations, filename: str, *, on_finish=None):
    """A streamed zip of the data package of `operations` (operations/datapackage.py), read in one transaction. The
    export log counts the data rows of its four files."""
    from .. import datapackage

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
