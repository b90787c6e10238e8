"""Reading an uploaded table (CSV in UTF-8 or Windows-1252 with `,`, `;` or tab, or the first sheet of an XLSX)
into numbered rows of {column: text}, checking its size, encoding and header against the format."""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from ..import_format import COLUMNS
from .report import ImportReport, Rejected

# A 100,000-row file of valid rows imports in well under a minute (benchmarks/bench_import.py); past these limits a
# file is refused before it is read, rather than tying up a worker.
MAX_ROWS = 100_000
MAX_BYTES = 40_000_000


@dataclass
class UploadedTable:
    """A file as received: its name (for messages and the XLSX guess) and its bytes."""

    name: str
    data: bytes
    size: int = 0

    def __post_init__(self):
        self.size = self.size or len(self.data)

    @classmethod
    def from_path(cls, path) -> UploadedTable:
        path = Path(path)
        size = path.stat().st_size
        # A file over the limit is refused before it is read into memory.
        return cls(path.name, b"" if size > MAX_BYTES else path.read_bytes(), size)


def _cell(value) -> str:
    """An XLSX cell as the text a CSV would hold."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_xlsx(upload: UploadedTable, report: ImportReport):
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(upload.data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        report.error(
            upload.name, None, None, _("not a readable XLSX workbook (%(error)s)") % {"error": error.__class__.__name__}
        )
        raise Rejected from error
    sheet = workbook.worksheets[0]
    rows = []
    for values in sheet.iter_rows(values_only=True):
        rows.append([_cell(value) for value in values])
        if len(rows) > MAX_ROWS + 1:
            break
    workbook.close()
    report.files[upload.name] = f"XLSX, first sheet “{sheet.title}”"
    return rows


def _decode(upload: UploadedTable, report: ImportReport) -> str:
    data = upload.data
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data[:4096]:
        report.error(
            upload.name,
            None,
            None,
            _("this file is UTF-16 or binary, not a CSV text file: save it as “CSV UTF-8” (or upload the .xlsx)"),
        )
        raise Rejected
    if data.startswith(b"\xef\xbb\xbf"):
        encoding, label = "utf-8-sig", "UTF-8 with BOM"
    else:
        encoding, label = "utf-8", "UTF-8"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as utf8_error:
        if encoding == "utf-8-sig":  # a BOM promises UTF-8: a bad byte after it is a broken file, not cp1252
            report.error(
                upload.name,
                None,
                None,
                _("starts as UTF-8 but byte %(byte)s is not UTF-8") % {"byte": utf8_error.start},
            )
            raise Rejected from utf8_error
        # Excel's "CSV" on Windows writes Windows-1252: "Côte d'Ivoire" arrives as b"C\xf4te".
        try:
            text, label = data.decode("cp1252"), "Windows-1252"
        except UnicodeDecodeError as error:
            report.error(
                upload.name,
                None,
                None,
                _("neither UTF-8 nor Windows-1252 (byte %(byte)s at position %(position)s): save it as “CSV UTF-8”")
                % {"byte": f"0x{data[error.start]:02x}", "position": error.start},
            )
            raise Rejected from error
    report.files[upload.name] = label
    return text


def _read_csv(upload: UploadedTable, report: ImportReport):
    text = _decode(upload, report)
    first_line = text.split("\n", 1)[0]
    # European Excel separates with ";" (the decimal comma takes ","); the header line decides, since its names
    # never contain either.
    delimiter = max([",", ";", "\t"], key=first_line.count)
    report.files[upload.name] += f", “{delimiter if delimiter != chr(9) else 'tab'}”-separated"
    rows = []
    for values in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
        rows.append([value.strip() for value in values])
        if len(rows) > MAX_ROWS + 1:
            break
    return rows


def read_table(upload: UploadedTable, kind: str, report: ImportReport, columns=None) -> list[tuple[int, dict]]:
    """[(row number, {column: text})] for the data rows, or Rejected with the reasons in the report. The header
    must name exactly `columns` (default: the spreadsheet format's columns of `kind`), in any order."""
    if upload.size > MAX_BYTES:
        report.error(
            upload.name,
            None,
            None,
            _("the file is %(size)s MB; the limit is %(limit)s MB: split it")
            % {"size": f"{upload.size / 1_000_000:.1f}", "limit": MAX_BYTES // 1_000_000},
        )
        raise Rejected
    if upload.data[:4] == b"PK\x03\x04" or upload.name.lower().endswith((".xlsx", ".xlsm")):
        rows = _read_xlsx(upload, report)
    else:
        rows = _read_csv(upload, report)
    while rows and not any(rows[-1]):
        rows.pop()
    if not rows:
        report.error(upload.name, None, None, _("the file is empty"))
        raise Rejected
    if len(rows) - 1 > MAX_ROWS:
        report.error(
            upload.name,
            None,
            None,
            _("more than %(limit)s data rows; the limit is %(limit)s: split the file") % {"limit": f"{MAX_ROWS:,}"},
        )
        raise Rejected
    header = [re.sub(r"\s+", "_", name.strip().lower()) for name in rows[0]]
    while header and not header[-1]:
        header.pop()
    expected = columns or COLUMNS[kind]
    missing = [name for name in expected if name not in header]
    unknown = [name or "(empty)" for name in header if name not in expected]
    repeated = sorted({name for name in header if header.count(name) > 1 and name})
    for name in missing:
        report.error(upload.name, 1, name, _("missing column (the header must name every column of the format)"))
    for name in unknown:
        report.error(
            upload.name,
            1,
            name,
            _("unknown column; the %(kind)s file has: %(columns)s")
            % {"kind": kind.replace("_", " "), "columns": ", ".join(expected)},
        )
    for name in repeated:
        report.error(upload.name, 1, name, _("this column appears twice"))
    if missing or unknown or repeated:
        raise Rejected
    table = []
    for number, values in enumerate(rows[1:], start=2):
        if not any(values):
            continue
        if len(values) > len(header) and any(values[len(header) :]):
            report.error(
                upload.name,
                number,
                None,
                _("%(cells)s cells but the header has %(columns)s columns")
                % {"cells": len(values), "columns": len(header)},
            )
            continue
        values = values + [""] * (len(header) - len(values))
        table.append((number, dict(zip(header, values, strict=False))))
    return table
