"""A streamed XLSX (SpreadsheetML) writer on zipfile: one sheet of rows, in constant memory, without openpyxl.

openpyxl's write-only mode did the same, but importing it (and lxml, which it uses when installed) added ~20 MB to
every worker that served one XLSX export (docs/performance.md "Memory"). The parts written are the few a workbook
needs (content types, relationships, workbook, styles, one sheet); tests/test_export.py parses it back with openpyxl.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

# XML 1.0 refuses these characters even escaped (and Excel refuses a file holding them): they are dropped.
ILLEGAL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
MAX_SHEET_TITLE = 31  # Excel's limit
# Rows written per call to the zip stream: fewer, larger writes.
_BATCH = 500
_EPOCH = date(1899, 12, 30)  # day 0 of Excel's 1900 date system (past its 1900 leap-year bug)
# Cell styles (styles.xml's cellXfs): 0 plain, 1 a date, 2 a date and time.
_DATE_STYLE, _DATETIME_STYLE = 1, 2

_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/>'
    "</Relationships>"
)
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="{title}" sheetId="1" r:id="rId1"/></sheets>'
    "</workbook>"
)
_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" '
    'Target="styles.xml"/>'
    "</Relationships>"
)
# Dates as ISO 8601 (yyyy-mm-dd), as the CSV writes them; custom number formats start at id 164.
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm:ss"/></numFmts>'
    '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    "</fills>"
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
_SHEET_START = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
)
_XML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})


def column_letter(index: int) -> str:
    """The letters of the column at 0-based `index`: 0 is A, 25 is Z, 26 is AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def text(value: str) -> str:
    """A string as XML element text: characters XML refuses dropped, markup escaped, a carriage return kept (an XML
    parser would read a literal one back as a line feed)."""
    return ILLEGAL_CHARACTERS.sub("", value).translate(_XML_ESCAPES)


def _cell(reference: str, value) -> str:
    """One <c> element; empty for None (a cell that is not written is empty)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return f'<c r="{reference}" t="inlineStr"><is><t xml:space="preserve">{text(value)}</t></is></c>'
    if isinstance(value, bool):
        return f'<c r="{reference}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float | Decimal):
        return f'<c r="{reference}"><v>{value}</v></c>'
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.replace(tzinfo=None)  # Excel has no time zones: the wall-clock time as stored
        delta = value - datetime(1899, 12, 30)
        serial = delta.days + (delta.seconds + delta.microseconds / 1_000_000) / 86_400
        return f'<c r="{reference}" s="{_DATETIME_STYLE}"><v>{serial}</v></c>'
    if isinstance(value, date):
        return f'<c r="{reference}" s="{_DATE_STYLE}"><v>{(value - _EPOCH).days}</v></c>'
    return _cell(reference, str(value))


def write_xlsx(file, title: str, headers: list[str], rows: Iterable[Iterable], *, widths=None) -> int:
    """Write a workbook of one sheet named `title` to the binary `file`: `headers`, then `rows`, streamed through the
    zip so memory does not grow with them. Strings are inline strings (no shared-string table held in memory), so a
    cell is never a formula whatever it starts with; escaping formula triggers, for the spreadsheet that turns text
    back into cells, is the caller's business. `widths`: optional column widths in characters. Returns the count of
    rows written (the header not counted)."""
    title = ILLEGAL_CHARACTERS.sub("", title)[:MAX_SHEET_TITLE].translate(_XML_ESCAPES).replace('"', "&quot;")
    count = 0
    letters: list[str] = []

    def row_xml(number, values):
        while len(letters) < len(values):
            letters.append(column_letter(len(letters)))
        cells = "".join(_cell(f"{letters[i]}{number}", value) for i, value in enumerate(values))
        return f'<row r="{number}">{cells}</row>'

    with zipfile.ZipFile(file, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK.format(title=title or "Sheet1"))
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/styles.xml", _STYLES)
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(_SHEET_START.encode())
            if widths:
                columns = "".join(
                    f'<col min="{i}" max="{i}" width="{width}" customWidth="1"/>'
                    for i, width in enumerate(widths, start=1)
                )
                sheet.write(f"<cols>{columns}</cols>".encode())
            sheet.write(f"<sheetData>{row_xml(1, headers)}".encode())
            batch = []
            for count, values in enumerate(rows, start=1):
                batch.append(row_xml(count + 1, values))
                if len(batch) == _BATCH:
                    sheet.write("".join(batch).encode())
                    batch.clear()
            sheet.write(("".join(batch) + "</sheetData></worksheet>").encode())
    return count
