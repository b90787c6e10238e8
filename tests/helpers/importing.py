"""Import test material: rows written as the CSV an editor uploads, the importer run on it, and what an import could
write (to prove a refused one wrote nothing)."""

import csv
import io

from operations.importing import COLUMNS, UploadedTable, import_files
from operations.models import Operation, Participation, ReportedFigure, Source


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


def run(operations=None, results=None, *, commit=True):
    ops = UploadedTable("operations.csv", operations) if operations is not None else None
    res = UploadedTable("country_results.csv", results) if results is not None else None
    return import_files(ops, res, commit=commit)
