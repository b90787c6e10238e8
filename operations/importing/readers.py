"""Reading an uploaded table (CSV in UTF-8 or Windows-1252 with `,`, `;` or tab, or the first sheet of an XLSX)
into numbered rows of {column: text}, checking its size, encoding and header against the format."""

from __future__ import annotations

import csv
import datetime
import io
import re
import zipfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from ..import_format import COLUMNS
from .report import ImportReport, Rejected

# A 100,000-row file of valid rows imports in well under a minute (benchmarks/bench_import.py); past these limits a
# file is refused before it is read, rather than tying up a worker.
MAX_ROWS = 100_000
MAX_BYTES = 40_000_000
# What a file really holds is bounded too, not only its size on disk: a 1.5 KB XLSX can declare a sheet of 17 billion
# cells and a 1.3 MB one can hold 20 million shared strings (3-4 GB once read). Past these a file is refused before
# the reader's memory grows (peak under 200 MB, tests/test_import_bombs.py).
MAX_COLUMNS = 200  # the widest format has about 30; refused at once, before the header is compared
MAX_CELL_CHARS = 128 * 1024  # Excel's own limit is 32,767 characters
MAX_XLSX_UNPACKED = 400_000_000  # bytes of XML a workbook may unpack to (100,000 real rows are about 60 MB)
MAX_SHARED_STRINGS = 1_000_000  # openpyxl keeps every one in memory
MAX_CELLS = MAX_ROWS * 30


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


class _Refused(Exception):
    """A workbook the pre-scan refuses; the message says why."""


def _unpacked(archive: zipfile.ZipFile, name: str, budget: list[int]):
    """The part's bytes as they unpack, counted against the workbook's budget (what it really unpacks to, not what
    its directory declares). A DTD is refused: XLSX parts never have one, and it is how entity bombs and external
    entities (XXE) come in."""
    tail = b""
    with archive.open(name) as part:
        while chunk := part.read(1 << 20):
            budget[0] -= len(chunk)
            if budget[0] < 0:
                raise _Refused(
                    _("the workbook unpacks to more than %(limit)s MB of data; split it")
                    % {"limit": MAX_XLSX_UNPACKED // 1_000_000}
                )
            if b"<!DOCTYPE" in tail + chunk or b"<!ENTITY" in tail + chunk:
                raise _Refused(_("the workbook contains a DTD (“<!DOCTYPE”), which spreadsheets never write"))
            tail = chunk[-16:]
            yield chunk


class _Stream(io.RawIOBase):
    """A file object over the chunks, for ElementTree.iterparse."""

    def __init__(self, chunks):
        self.chunks, self.rest = chunks, b""

    def readable(self):
        return True

    def readinto(self, buffer):
        while not self.rest:
            self.rest = next(self.chunks, None)
            if self.rest is None:
                self.rest = b""
                return 0
        size = min(len(buffer), len(self.rest))
        buffer[:size], self.rest = self.rest[:size], self.rest[size:]
        return size


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _prescan_xlsx(data: bytes) -> None:
    """Read the workbook's parts as a stream, in linear time and constant memory, before openpyxl loads it (which
    keeps every shared string and trusts the declared dimensions): refuse what it really holds past the limits, a
    DTD, malformed XML, a workbook without a sheet, a cell past MAX_CELL_CHARS and a formula without its value."""
    from xml.etree.ElementTree import ParseError, iterparse

    budget = [MAX_XLSX_UNPACKED]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        sheets = {name for name in names if name.startswith("xl/worksheets/") and name.endswith(".xml")}
        try:
            parsed = {"xl/workbook.xml": [], "xl/_rels/workbook.xml.rels": []}
            for name in sorted(names):
                if name.endswith((".xml", ".rels")) and name not in sheets and name != "xl/sharedStrings.xml":
                    # The other parts (styles, relationships, ...) are checked; the sheets and their relationships
                    # are kept to find the first sheet, a bounded number of them.
                    for _event, element in iterparse(_Stream(_unpacked(archive, name, budget))):
                        if name in parsed and _local(element.tag) in ("sheet", "Relationship"):
                            parsed[name].append(element)
                            if len(parsed[name]) > 10_000:
                                raise _Refused(_("the workbook declares more than 10,000 sheets"))
                        else:
                            element.clear()
            first = _first_sheet(parsed)
            if first not in sheets:
                raise _Refused(_("the workbook has no sheet"))
            if "xl/sharedStrings.xml" in names:
                count, root = 0, None
                parts = _Stream(_unpacked(archive, "xl/sharedStrings.xml", budget))
                for event, element in iterparse(parts, events=("start", "end")):
                    if root is None:
                        root = element
                    if event == "end" and _local(element.tag) == "si":
                        count += 1
                        if count > MAX_SHARED_STRINGS:
                            raise _Refused(
                                _("the workbook holds more than %(limit)s different texts; split it")
                                % {"limit": f"{MAX_SHARED_STRINGS:,}"}
                            )
                        if len("".join(element.itertext())) > MAX_CELL_CHARS:
                            raise _Refused(_("a text in the workbook is longer than 128 KiB"))
                        root.clear()  # the texts read so far: memory stays flat
            _prescan_sheet(archive, first, budget)
        except ParseError as error:
            raise _Refused(_("the workbook's XML is malformed (%(error)s)") % {"error": error}) from error


def _first_sheet(parsed) -> str | None:
    """The part of the workbook's first sheet, as openpyxl finds it: workbook.xml's first <sheet>, through its
    relationship."""
    sheet = next((e for e in parsed.get("xl/workbook.xml", []) if _local(e.tag) == "sheet"), None)
    if sheet is None:
        return None
    rid = next((value for key, value in sheet.attrib.items() if _local(key) == "id"), None)
    for element in parsed.get("xl/_rels/workbook.xml.rels", []):
        if _local(element.tag) == "Relationship" and element.get("Id") == rid:
            target = element.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return None


def _prescan_sheet(archive, name, budget):
    from xml.etree.ElementTree import iterparse

    cells = in_row = 0
    parent = None
    for event, element in iterparse(_Stream(_unpacked(archive, name, budget)), events=("start", "end")):
        tag = _local(element.tag)
        if event == "start":
            if tag == "sheetData":
                parent = element
            continue
        if tag == "c":
            cells += 1
            in_row += 1
            letters = (element.get("r") or "A").rstrip("0123456789")
            column = sum(26**i * (ord(c) - 64) for i, c in enumerate(reversed(letters.upper()[:4])))
            if in_row > MAX_COLUMNS or column > MAX_COLUMNS:
                raise _Refused(
                    _("a row has cells past column %(limit)s; the format has far fewer columns")
                    % {"limit": MAX_COLUMNS}
                )
            if cells > MAX_CELLS:
                raise _Refused(_("the sheet holds more than %(limit)s cells; split it") % {"limit": f"{MAX_CELLS:,}"})
            children = {_local(child.tag): child for child in element}
            if "f" in children and (children.get("v") is None or children["v"].text is None):
                raise _Refused(
                    _(
                        "cell %(cell)s holds a formula without its computed value: open the file in Excel or"
                        " LibreOffice and save it again (or paste the values) before importing"
                    )
                    % {"cell": element.get("r") or "?"}
                )
            if any(len(child.text or "") > MAX_CELL_CHARS for child in element.iter()):
                raise _Refused(_("cell %(cell)s is longer than 128 KiB") % {"cell": element.get("r") or "?"})
            element.clear()
        elif tag == "row":
            in_row = 0
            number = element.get("r") or ""
            if number.isdigit() and int(number) > MAX_ROWS + 1:
                raise _Refused(
                    _("the sheet has rows past row %(limit)s; split the file") % {"limit": f"{MAX_ROWS + 1:,}"}
                )
            if parent is not None:
                parent.clear()  # the rows read so far: memory stays flat


def _read_xlsx(upload: UploadedTable, report: ImportReport):
    import openpyxl

    def refuse(message, error=None):
        report.error(upload.name, None, None, message)
        raise Rejected from error

    try:
        _prescan_xlsx(upload.data)
    except _Refused as error:
        refuse(str(error), error)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError) as error:
        refuse(_("not a readable XLSX workbook (%(error)s)") % {"error": error.__class__.__name__}, error)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(upload.data), read_only=True, data_only=True)
        if not workbook.worksheets:
            refuse(_("the workbook has no sheet"))
        sheet = workbook.worksheets[0]
        # The dimension the file declares ("A1:XFD1048576") is not trusted: rows are as long as their cells.
        sheet.reset_dimensions()
        rows = []
        for values in sheet.iter_rows(values_only=True):
            if len(values) > MAX_COLUMNS:
                refuse(
                    _("row %(row)s has %(cells)s columns; the limit is %(limit)s")
                    % {"row": len(rows) + 1, "cells": f"{len(values):,}", "limit": MAX_COLUMNS}
                )
            rows.append([_cell(value) for value in values])
            if len(rows) > MAX_ROWS + 1:
                break
        workbook.close()
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, IndexError, OSError, SyntaxError) as error:
        # openpyxl on a workbook the pre-scan let through but it cannot read (ParseError is a SyntaxError).
        refuse(_("not a readable XLSX workbook (%(error)s)") % {"error": error.__class__.__name__}, error)
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
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for values in reader:
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
            if any(len(value) > MAX_CELL_CHARS for value in values):
                report.error(upload.name, reader.line_num, None, _("a cell is longer than 128 KiB"))
                raise Rejected
            rows.append([value.strip() for value in values])
            if len(rows) > MAX_ROWS + 1:
                break
    except csv.Error as error:  # the csv module's own limit on a cell is 128 KiB (csv.field_size_limit)
        report.error(
            upload.name,
            reader.line_num,
            None,
            _("a cell is longer than 128 KiB or malformed (%(error)s)") % {"error": error},
        )
        raise Rejected from error
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
        if any("\x00" in value for value in values):  # PostgreSQL refuses NUL in text; a CSV's first 4 KB were checked
            report.error(upload.name, number, None, _("this row contains a NUL character; remove it"))
            continue
        values = values + [""] * (len(header) - len(values))
        table.append((number, dict(zip(header, values, strict=False))))
    return table
