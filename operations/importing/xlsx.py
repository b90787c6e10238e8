"""Reading the first sheet of an XLSX workbook as rows of cell texts, after a streaming pre-scan that refuses what
would make openpyxl's memory grow (a workbook bomb, a DTD, a formula without its value)."""

from __future__ import annotations

import datetime
import io
import zipfile

from django.utils.translation import gettext as _

from .report import ImportReport, Rejected

# What a file really holds is bounded too, not only its size on disk: a 1.5 KB XLSX can declare a sheet of 17 billion
# cells and a 1.3 MB one can hold 20 million shared strings (3-4 GB once read). Past these a file is refused before
# the reader's memory grows (peak under 200 MB, tests/test_import_bombs.py).
MAX_COLUMNS = 200  # the widest format has about 30; refused at once, before the header is compared
MAX_CELL_CHARS = 128 * 1024  # Excel's own limit is 32,767 characters
MAX_XLSX_UNPACKED = 400_000_000  # bytes of XML a workbook may unpack to (100,000 real rows are about 60 MB)
MAX_SHARED_STRINGS = 1_000_000  # openpyxl keeps every one in memory
EXCEL_ROWS = 1_048_576  # a sheet's own limit: the row bound when the caller sets none (the command line)
CELLS_PER_ROW = 30  # the cells a sheet may hold: this many per allowed row


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


def _prescan_xlsx(file, max_rows: int) -> None:
    """Read the workbook's parts as a stream, in linear time and constant memory, before openpyxl loads it (which
    keeps every shared string and trusts the declared dimensions): refuse what it really holds past the limits, a
    DTD, malformed XML, a workbook without a sheet, a cell past MAX_CELL_CHARS and a formula without its value."""
    from xml.etree.ElementTree import ParseError, iterparse

    budget = [MAX_XLSX_UNPACKED]
    with zipfile.ZipFile(file) as archive:
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
            _prescan_sheet(archive, first, budget, max_rows)
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


def _prescan_sheet(archive, name, budget, max_rows):
    from xml.etree.ElementTree import iterparse

    cells = in_row = 0
    max_cells = max_rows * CELLS_PER_ROW
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
            if cells > max_cells:
                raise _Refused(_("the sheet holds more than %(limit)s cells; split it") % {"limit": f"{max_cells:,}"})
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
            if number.isdigit() and int(number) > max_rows + 1:
                raise _Refused(
                    _("the sheet has rows past row %(limit)s; split the file") % {"limit": f"{max_rows + 1:,}"}
                )
            if parent is not None:
                parent.clear()  # the rows read so far: memory stays flat


def xlsx_rows(upload, report: ImportReport, max_rows: int | None):
    """The first sheet's rows as lists of cell texts, one at a time (openpyxl's read-only mode streams the sheet).
    Rejected, with the reason in the report, for a workbook the pre-scan refuses or openpyxl cannot read."""
    import openpyxl

    max_rows = max_rows or EXCEL_ROWS

    def refuse(message, error=None):
        report.error(upload.name, None, None, message)
        raise Rejected from error

    try:
        with upload.open() as file:
            _prescan_xlsx(file, max_rows)
    except _Refused as error:
        refuse(str(error), error)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError) as error:
        refuse(_("not a readable XLSX workbook (%(error)s)") % {"error": error.__class__.__name__}, error)
    file = upload.open()
    try:
        workbook = openpyxl.load_workbook(file, read_only=True, data_only=True)
        if not workbook.worksheets:
            refuse(_("the workbook has no sheet"))
        sheet = workbook.worksheets[0]
        # The dimension the file declares ("A1:XFD1048576") is not trusted: rows are as long as their cells.
        sheet.reset_dimensions()
        report.files[upload.name] = f"XLSX, first sheet “{sheet.title}”"
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if len(values) > MAX_COLUMNS:
                refuse(
                    _("row %(row)s has %(cells)s columns; the limit is %(limit)s")
                    % {"row": number, "cells": f"{len(values):,}", "limit": MAX_COLUMNS}
                )
            yield number, [_cell(value) for value in values]
        workbook.close()
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError, IndexError, OSError, SyntaxError) as error:
        # openpyxl on a workbook the pre-scan let through but it cannot read (ParseError is a SyntaxError).
        refuse(_("not a readable XLSX workbook (%(error)s)") % {"error": error.__class__.__name__}, error)
    finally:
        file.close()
