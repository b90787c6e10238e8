"""Reading an uploaded table (CSV in UTF-8 or Windows-1252 with `,`, `;` or tab, or the first sheet of an XLSX) into
numbered rows of {column: text}, one at a time, checking its size, encoding and header against the format."""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from ..import_format import COLUMNS
from .report import ImportReport, Rejected
from .xlsx import MAX_CELL_CHARS, MAX_COLUMNS, xlsx_rows

# The limits of a file uploaded through the admin (README "Importing figures from spreadsheets"): a preview holds
# the web request, so a larger file is refused before it is read. `manage.py import_figures` streams a file of any
# size (limits=None) in one transaction.
MAX_ROWS = 100_000
MAX_BYTES = 40_000_000
LIMITED = "limited"  # the admin's limits, read when the file is (tests lower them)
_CHUNK = 1 << 20


@dataclass
class UploadedTable:
    """A file as received: its name (for messages and the XLSX guess) and its bytes, or the path it is read from
    (the command line: never read into memory whole)."""

    name: str
    data: bytes = b""
    size: int = 0
    path: Path | None = None

    def __post_init__(self):
        self.size = self.size or (self.path.stat().st_size if self.path else len(self.data))

    @classmethod
    def from_path(cls, path) -> UploadedTable:
        path = Path(path)
        path.stat()  # an OSError now, for the caller's message, rather than on the first read
        return cls(path.name, path=path)

    def open(self):
        return self.path.open("rb") if self.path else io.BytesIO(self.data)

    def head(self, size=4096) -> bytes:
        with self.open() as file:
            return file.read(size)


def _encoding(upload: UploadedTable, report: ImportReport) -> str:
    """The file's text encoding, checked over the whole file as it streams by (a bad byte on the last row must
    not be found after the rows before it were written)."""
    head = upload.head()
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in head:
        report.error(
            upload.name,
            None,
            None,
            _("this file is UTF-16 or binary, not a CSV text file: save it as “CSV UTF-8” (or upload the .xlsx)"),
        )
        raise Rejected
    with_bom = head.startswith(b"\xef\xbb\xbf")
    error = _first_decode_error(upload, "utf-8")
    if error is None:
        report.files[upload.name] = "UTF-8 with BOM" if with_bom else "UTF-8"
        return "utf-8-sig" if with_bom else "utf-8"
    if with_bom:  # a BOM promises UTF-8: a bad byte after it is a broken file, not cp1252
        report.error(upload.name, None, None, _("starts as UTF-8 but byte %(byte)s is not UTF-8") % {"byte": error[0]})
        raise Rejected
    # Excel's "CSV" on Windows writes Windows-1252: "Côte d'Ivoire" arrives as b"C\xf4te".
    error = _first_decode_error(upload, "cp1252")
    if error is not None:
        report.error(
            upload.name,
            None,
            None,
            _("neither UTF-8 nor Windows-1252 (byte %(byte)s at position %(position)s): save it as “CSV UTF-8”")
            % {"byte": f"0x{error[1]:02x}", "position": error[0]},
        )
        raise Rejected
    report.files[upload.name] = "Windows-1252"
    return "cp1252"


def _first_decode_error(upload, encoding):
    """(position, byte) of the first byte that does not decode, or None; in constant memory."""
    decoder = codecs.getincrementaldecoder(encoding)()
    offset = 0
    with upload.open() as file:
        while True:
            chunk = file.read(_CHUNK)
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as error:
                pending = len(error.object) - len(chunk)  # bytes the decoder held back from the chunk before
                position = offset - pending + error.start
                return position, error.object[error.start]
            if not chunk:
                return None
            offset += len(chunk)


def _csv_rows(upload: UploadedTable, report: ImportReport):
    encoding = _encoding(upload, report)
    with upload.open() as raw:
        text = io.TextIOWrapper(raw, encoding=encoding, newline="")
        first_line = text.readline()
        text.seek(0)
        # European Excel separates with ";" (the decimal comma takes ","); the header line decides, since its names
        # never contain either.
        delimiter = max([",", ";", "\t"], key=first_line.count)
        report.files[upload.name] += f", “{delimiter if delimiter != chr(9) else 'tab'}”-separated"
        reader = csv.reader(text, delimiter=delimiter)
        try:
            for number, values in enumerate(reader, start=1):  # spreadsheet rows: a quoted line break is one
                if len(values) > MAX_COLUMNS:
                    report.error(
                        upload.name,
                        reader.line_num,
                        None,
                        _("%(cells)s columns; the limit is %(limit)s")
                        % {"cells": f"{len(values):,}", "limit": MAX_COLUMNS},
                    )
                    raise Rejected
                # Checked here: csv's own limit is process-wide and other libraries raise it (frictionless does).
                if values and max(map(len, values)) > MAX_CELL_CHARS:
                    report.error(upload.name, reader.line_num, None, _("a cell is longer than 128 KiB"))
                    raise Rejected
                yield number, list(map(str.strip, values))
        except csv.Error as error:  # the csv module's own limit on a cell is 128 KiB (csv.field_size_limit)
            report.error(
                upload.name,
                reader.line_num,
                None,
                _("a cell is longer than 128 KiB or malformed (%(error)s)") % {"error": error},
            )
            raise Rejected from error


def open_table(upload: UploadedTable, kind: str, report: ImportReport, columns=None, limits=LIMITED):
    """An iterator of (row number, {column: text}) over the data rows, the header already checked: Rejected now
    (with the reasons in the report) for a file that cannot be read or whose header does not name exactly
    `columns` (default: the spreadsheet format's columns of `kind`) in any order. A row that cannot be read later
    (too many cells, NUL) is an error in the report and skipped; a file past the rows limit raises Rejected when
    the row past it is reached. limits=None: any size (the command line)."""
    max_rows = MAX_ROWS if limits == LIMITED else None
    if limits == LIMITED and upload.size > MAX_BYTES:
        report.error(
            upload.name,
            None,
            None,
            _("the file is %(size)s MB; the limit is %(limit)s MB: split it")
            % {"size": f"{upload.size / 1_000_000:.1f}", "limit": MAX_BYTES // 1_000_000},
        )
        raise Rejected
    if upload.head(4) == b"PK\x03\x04" or upload.name.lower().endswith((".xlsx", ".xlsm")):
        rows = xlsx_rows(upload, report, max_rows)
    else:
        rows = _csv_rows(upload, report)
    first = next(rows, None)
    if first is None or not any(first[1]) and not any(any(values) for _number, values in rows):
        report.error(upload.name, None, None, _("the file is empty"))
        raise Rejected
    header = [re.sub(r"\s+", "_", name.strip().lower()) for name in first[1]]
    while header and not header[-1]:
        header.pop()
    expected = columns or COLUMNS[kind]
    # Sets and a Counter: the checks stay linear in the header's width (a list's count() per name took 20 s on a
    # 40,000-column header).
    present, wanted = set(header), set(expected)
    missing = [name for name in expected if name not in present]
    unknown = [name or "(empty)" for name in header if name not in wanted]
    repeated = sorted(name for name, count in Counter(header).items() if count > 1 and name)
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
    return _data_rows(upload, report, header, rows, max_rows)


def _data_rows(upload, report, header, rows, max_rows):
    width, blank, count = len(header), [""] * len(header), 0
    for number, values in rows:
        if not any(values):
            continue
        count += 1
        if max_rows is not None and count > max_rows:
            report.error(
                upload.name,
                None,
                None,
                _(
                    "more than %(limit)s data rows; the limit is %(limit)s for an upload: split the file, or import"
                    " it with `manage.py import_figures`, which takes files of any size"
                )
                % {"limit": f"{max_rows:,}"},
            )
            raise Rejected
        if len(values) > width and any(values[width:]):
            report.error(
                upload.name,
                number,
                None,
                _("%(cells)s cells but the header has %(columns)s columns") % {"cells": len(values), "columns": width},
            )
            continue
        if "\x00" in "".join(values):  # PostgreSQL refuses NUL in text
            report.error(upload.name, number, None, _("this row contains a NUL character; remove it"))
            continue
        if len(values) < width:
            values = values + blank[len(values) :]
        yield number, dict(zip(header, values, strict=False))


def read_table(upload: UploadedTable, kind: str, report: ImportReport, columns=None, limits=LIMITED):
    """open_table()'s rows as a list (the data package, whose files are checked whole and are small)."""
    return list(open_table(upload, kind, report, columns, limits))
