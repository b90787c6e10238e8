"""The tracker's data package format (a Frictionless tabular data package: sources, operations, participations,
figures) and its writer: the whole database, or the operations a filter selects, streamed as a folder or a zip.

The format is the one of the vendored reference data (operations/reference_data/datapackage.json): its descriptor
names the files and their columns, and an exported package carries that descriptor, the README with the conventions
and validate.py unchanged, so `python validate.py` and `frictionless validate` check an export as they check the
reference data. Rows are written in the reference files' order (see the *_ORDER comments), so exporting a database
loaded from a package gives the package back byte for byte."""

from __future__ import annotations

import csv
import datetime
import functools
import heapq
import json
import operator
import zipfile
from collections.abc import Iterator
from functools import cache
from pathlib import Path

from django.db import connections
from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, Collate

from .figures import Figure
from .models import METRICS, Operation, Participation, ReportedFigure, Source
from .services.implicit import PREFERRED_COLUMNS, with_implicit_reports

FORMAT_DIR = Path(__file__).resolve().parent / "reference_data"
DESCRIPTOR = "datapackage.json"
# Shipped beside the CSV files in every package: the descriptor, the conventions and the cross-table checks.
COMPANION_FILES = (DESCRIPTOR, "README.md", "validate.py")
SOURCES, OPERATIONS, PARTICIPATIONS, FIGURES = "sources", "operations", "participations", "figures"
CHUNK_SIZE = 2000
# Zip entries carry this time, not the export's: the same data gives the same bytes.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


@cache
def descriptor() -> dict:
    return json.loads((FORMAT_DIR / DESCRIPTOR).read_text(encoding="utf-8"))


@cache
def resources() -> dict[str, dict]:
    """{resource name: {"path": "sources.csv", "fields": [field descriptors]}} in the descriptor's order."""
    return {
        resource["name"]: {"path": resource["path"], "fields": resource["schema"]["fields"]}
        for resource in descriptor()["resources"]
    }


def columns(name: str) -> list[str]:
    return [field["name"] for field in resources()[name]["fields"]]


def file_name(name: str) -> str:
    return resources()[name]["path"]


# --- Rows ---------------------------------------------------------------------------------------------------------


def _text(value) -> str:
    """A cell as the package writes it: "" for unknown, true/false, ISO dates, plain integers."""
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _text_key(queryset: QuerySet, expression):
    """A text sort key in code-point order on every database: PostgreSQL's default collation (en_US) ignores hyphens
    at first ("bia-ii" after "bia2"); "C" sorts as SQLite and Python do."""
    expression = F(expression) if isinstance(expression, str) else expression
    return Collate(expression, "C") if connections[queryset.db].vendor == "postgresql" else expression


def _selected(selection: QuerySet | None, field: str) -> Q:
    return Q() if selection is None else Q(**{f"{field}__in": selection.order_by().values("pk")})


def source_rows(selection: QuerySet | None = None) -> Iterator[tuple]:
    """sources.csv, by id. The whole database: every source. A selection: the sources its rows cite."""
    queryset = Source.objects.all()
    if selection is not None:
        ids = selection.order_by().values("pk")
        queryset = queryset.filter(
            Q(pk__in=ReportedFigure.objects.filter(operation__in=ids).values("source_id"))
            | Q(pk__in=Participation.objects.filter(operation__in=ids, source__isnull=False).values("source_id"))
            # The sources of implicit reports (services.implicit): a country row's preferred columns.
            | _implicit_sources(ids)
            | Q(pk__in=Operation.objects.filter(pk__in=ids, facts_source__isnull=False).values("facts_source_id"))
        )
    fields = ("key", "url", "title", "publisher", "published", "language", "is_primary")
    queryset = queryset.order_by(_text_key(queryset, "key"))
    yield from queryset.values_list(*fields).iterator(chunk_size=CHUNK_SIZE)


def _implicit_sources(ids) -> Q:
    implicit = with_implicit_reports(Participation.objects.filter(operation__in=ids))
    return functools.reduce(
        operator.or_, (Q(pk__in=implicit.values(f"{metric.value}_source_id")) for metric in METRICS)
    )


def operation_rows(selection: QuerySet | None = None) -> Iterator[tuple]:
    """operations.csv, by id (the operation's slug)."""
    fields = (
        "slug",
        "name",
        "coordinator",
        "start_date",
        "end_date",
        "date_precision",
        "area",
        "countries_reported",
        "is_single_country",
        "is_verified",
        "exploitation_text",
        "facts_source__key",
        "notes",
    )
    queryset = Operation.objects.filter(_selected(selection, "pk"))
    queryset = queryset.order_by(_text_key(queryset, "slug"))
    yield from queryset.values_list(*fields).iterator(chunk_size=CHUNK_SIZE)


def participation_rows(selection: QuerySet | None = None) -> Iterator[tuple]:
    """participations.csv, by operation and country."""
    fields = ("operation__slug", "country__iso2", "role", "source__key", "notes")
    queryset = Participation.objects.filter(_selected(selection, "operation"))
    queryset = queryset.order_by(_text_key(queryset, "operation__slug"), _text_key(queryset, "country__iso2"))
    yield from queryset.values_list(*fields).iterator(chunk_size=CHUNK_SIZE)


# The metrics in the order the reference files list a figure's reports: the metric list's own order.
_METRIC_ORDER = Case(
    *(When(metric=metric.value, then=Value(index)) for index, metric in enumerate(METRICS)),
    output_field=IntegerField(),
)


def figure_rows(selection: QuerySet | None = None) -> Iterator[tuple]:
    """figures.csv: by operation, country (the operation-wide figures first), metric (in the metric list's order),
    the preferred report first, then source and stated_as, as the reference files are written.

    A figure entered without the source's phrase (a spreadsheet import, the admin) is written with its reading in
    English ("nearly 700"): stated_as is required in the format, and a re-import keeps it, so the round trip holds."""
    fields = (
        "operation__slug",
        "participation__country__iso2",
        "metric",
        "value",
        "qualifier",
        "stated_as",
        "source__key",
        "quote",
        "is_preferred",
        "note",
    )
    queryset = ReportedFigure.objects.filter(_selected(selection, "operation"))
    ordered = queryset.order_by(
        _text_key(queryset, "operation__slug"),
        _text_key(queryset, Coalesce("participation__country__iso2", Value(""))),
        _METRIC_ORDER,
        F("is_preferred").desc(),
        _text_key(queryset, "source__key"),
        _text_key(queryset, "stated_as"),
    )
    stored = ordered.values_list(*fields).iterator(chunk_size=CHUNK_SIZE)
    # Implicit reports (services.implicit) are the only reports of their country rows: merged in by the same order,
    # compared in Python as the database compares (code points: SQLite's binary collation, "C" on PostgreSQL).
    for row in heapq.merge(stored, _implicit_figure_rows(selection), key=_figure_order):
        if not row[5]:
            row = (*row[:5], str(Figure(row[3], row[4])), *row[6:])
        yield row


_METRIC_INDEX = {metric.value: index for index, metric in enumerate(METRICS)}


def _figure_order(row) -> tuple:
    return (row[0], row[1] or "", _METRIC_INDEX[row[2]], not row[8], row[6], row[5])


def _implicit_figure_rows(selection: QuerySet | None) -> Iterator[tuple]:
    """figures.csv's rows of the country rows whose figures are implicit, in figures.csv's order."""
    queryset = with_implicit_reports(Participation.objects.filter(_selected(selection, "operation")))
    queryset = queryset.order_by(_text_key(queryset, "operation__slug"), _text_key(queryset, "country__iso2"))
    columns = [
        (value, qualifier, f"{metric}_source__key") for metric, (value, qualifier, _id) in PREFERRED_COLUMNS.items()
    ]
    names = [name for triple in columns for name in triple]
    for slug, iso2, *figures in queryset.values_list("operation__slug", "country__iso2", *names).iterator(
        chunk_size=CHUNK_SIZE
    ):
        for position, metric in enumerate(PREFERRED_COLUMNS):
            value, qualifier, source_key = figures[3 * position : 3 * position + 3]
            if value is not None:
                yield (slug, iso2, metric, value, qualifier, "", source_key, "", True, "")


ROWS = {SOURCES: source_rows, OPERATIONS: operation_rows, PARTICIPATIONS: participation_rows, FIGURES: figure_rows}


def csv_chunks(name: str, selection: QuerySet | None = None, counts: dict | None = None) -> Iterator[str]:
    """One package file as text chunks: the header, then CHUNK_SIZE rows at a time (UTF-8, LF line ends, csv's
    minimal quoting, as the reference files are written). `counts[name]` follows the rows written."""
    counts = {} if counts is None else counts
    lines = []
    writer = csv.writer(_Appender(lines), lineterminator="\n")
    writer.writerow(columns(name))
    counts[name] = 0
    for row in ROWS[name](selection):
        writer.writerow([_text(value) for value in row])
        counts[name] += 1
        if counts[name] % CHUNK_SIZE == 0:
            yield "".join(lines)
            lines.clear()
    yield "".join(lines)


class _Appender:
    def __init__(self, lines: list):
        self.write = lines.append


# --- Writers ------------------------------------------------------------------------------------------------------


def write_folder(folder: Path, selection: QuerySet | None = None) -> dict[str, int]:
    """Write the package into `folder` (created if needed); returns {file: bytes written}."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    sizes = {}
    for name in COMPANION_FILES:
        data = (FORMAT_DIR / name).read_bytes()
        (folder / name).write_bytes(data)
        sizes[name] = len(data)
    for name in resources():
        with (folder / file_name(name)).open("w", encoding="utf-8", newline="") as handle:
            for text in csv_chunks(name, selection):
                handle.write(text)
            sizes[file_name(name)] = handle.tell()
    return sizes


class _ZipSink:
    """What zipfile writes to when the zip is streamed: it keeps what was written until take() hands it on, and
    cannot seek, so zipfile writes each entry's sizes after its data (a data descriptor) instead of going back."""

    def __init__(self):
        self.chunks = []
        self.position = 0

    def write(self, data) -> int:
        self.chunks.append(bytes(data))
        self.position += len(data)
        return len(data)

    def tell(self) -> int:
        return self.position

    def flush(self):
        pass

    def take(self) -> bytes:
        data = b"".join(self.chunks)
        self.chunks.clear()
        return data


def _entry(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = (0o755 if name.endswith(".py") else 0o644) << 16
    return info


def zip_chunks(selection: QuerySet | None = None, counts: dict | None = None) -> Iterator[bytes]:
    """The package as a zip, in chunks as it is written: memory holds one chunk of rows, never the file."""
    sink = _ZipSink()
    with zipfile.ZipFile(sink, "w") as archive:
        for name in COMPANION_FILES:
            archive.writestr(_entry(name), (FORMAT_DIR / name).read_bytes())
            yield sink.take()
        for name in resources():
            with archive.open(_entry(file_name(name)), "w") as entry:
                for text in csv_chunks(name, selection, counts):
                    entry.write(text.encode("utf-8"))
                    chunk = sink.take()
                    if chunk:
                        yield chunk
            yield sink.take()
    yield sink.take()


def write_zip(path: Path, selection: QuerySet | None = None) -> int:
    """Write the package as a zip file at `path`; returns its size."""
    with Path(path).open("wb") as handle:
        for chunk in zip_chunks(selection):
            handle.write(chunk)
        return handle.tell()
