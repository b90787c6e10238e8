"""Import test material: rows written as the CSV an editor uploads, the importer run on it, and what an import could
write (to prove a refused one wrote nothing)."""

import csv
import io

from operations import services
from operations.importing import COLUMNS, UploadedTable, import_files
from operations.models import Operation, Participation, ReportedFigure, Source

# One synthetic operation with two country rows, as an editor would type them (names, qualifiers, grouped numbers).
OPERATION_ROW = {
    "name": "Synthetic Operation Alpha",
    "coordinator": "Synthetic coordinator",
    "region": "Synthetic region",
    "start_date": "2024-03-01",
    "end_date": "2024-03-10",
    "countries_count": "3",
    "victims_rescued": "nearly 700",
    "arrests": "250+",
    "investigations_opened": "",
    "migrants_identified": "more than 10,000",
    "exploitation_types": "forced labour; sexual exploitation",
    "summary": "Synthetic test operation.",
    "source_url": "https://example.org/synthetic-alpha",
    "source_title": "Synthetic release (Synthetic Agency)",
    "source_published": "2024-04-01",
}
COUNTRY_ROWS = [
    {
        "operation": "Synthetic Operation Alpha",
        "country": "Brasil",
        "role": "command centre",
        "victims_rescued": "300",
        "arrests": "",
        "investigations_opened": "",
        "migrants_identified": "",
        "source_url": "https://example.org/synthetic-alpha-br",
    },
    {
        "operation": "Synthetic Operation Alpha",
        "country": "Côte d'Ivoire",
        "role": "",
        "victims_rescued": "10 000",
        "arrests": "12",
        "investigations_opened": "",
        "migrants_identified": "",
        "source_url": "https://example.org/synthetic-alpha-ci",
    },
]


def csv_bytes(kind, rows, *, delimiter=",", encoding="utf-8", columns=None):
    buffer = io.StringIO(newline="")
    columns = columns or COLUMNS[kind]
    writer = csv.DictWriter(buffer, fieldnames=columns, delimiter=delimiter, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({column: row.get(column, "") for column in columns})
    return buffer.getvalue().encode(encoding)


def snapshot():
    """Everything an import could write, to prove a rejected import wrote nothing."""
    return (
        list(Operation.objects.order_by("pk").values()),
        list(Participation.objects.order_by("pk").values()),
        list(ReportedFigure.objects.order_by("pk").values()),
        list(Source.objects.order_by("pk").values()),
        Operation.history.count(),
    )


def every_report(operation) -> list:
    """An operation's reports: its stored figure rows and the implicit reports of the country rows an unattended
    import kept them on (services.implicit)."""
    stored = list(ReportedFigure.objects.filter(operation=operation))
    return [*stored, *services.implicit_reports(operation.participations.all(), sources=False)]


def run(operations=None, results=None, *, commit=True):
    ops = UploadedTable("operations.csv", operations) if operations is not None else None
    res = UploadedTable("country_results.csv", results) if results is not None else None
    return import_files(ops, res, commit=commit)


def assert_rejected(report, before, *expected):
    """Nothing written, and each expected (file, row, column, words) is among the errors."""
    assert not report.ok
    assert not report.committed
    assert snapshot() == before
    for file, row, column, words in expected:
        assert any(
            issue.file == file and issue.row == row and issue.column == column and words in issue.message
            for issue in report.errors
        ), f"no {file} row {row} column {column} error with {words!r} in {[str(e) for e in report.errors]}"
