"""Hostile spreadsheets (issue 16 items 2, 3, 5): bombs refused before memory grows (peak measured in a subprocess,
under 200 MB), no check worse than linear, and every malformed file refused with a clear message, nothing written.
The files are generated here (zipfile and hand-written XML), never committed."""

import csv
import io
import json
import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from operations import importing
from operations.import_format import COLUMNS, OPERATIONS
from operations.importing import UploadedTable, import_files
from operations.models import Operation, Participation, ReportedFigure, Source

pytestmark = pytest.mark.django_db
REPO = Path(__file__).resolve().parents[1]
PEAK_LIMIT_MB = 200
ARRESTS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[COLUMNS[OPERATIONS].index("arrests")]  # its column letter

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
    'sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
)
ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
    '<sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.'
    'openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)


def column_letter(index):
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def inline_row(number, values):
    cells = "".join(
        f'<c r="{column_letter(i)}{number}" t="inlineStr"><is><t>{value}</t></is></c>'
        for i, value in enumerate(values, start=1)
    )
    return f'<row r="{number}">{cells}</row>'


def header_row():
    return inline_row(1, COLUMNS[OPERATIONS])


def sheet(rows, dimension="A1:Q2"):
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}"><dimension ref="{dimension}"/>'
        f"<sheetData>{rows}</sheetData></worksheet>"
    )


def xlsx(sheet_xml=None, shared=None, workbook=WORKBOOK, shared_writer=None) -> bytes:
    """A workbook written by hand: its parts as given, deflated like Excel's."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", workbook)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        if sheet_xml is not None:
            archive.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        if shared_writer is None:
            archive.writestr("xl/sharedStrings.xml", shared or f'<?xml version="1.0"?><sst xmlns="{MAIN}"/>')
        else:
            with archive.open("xl/sharedStrings.xml", "w") as part:
                shared_writer(part)
    return buffer.getvalue()


def valid_row(name="Synthetic bomb operation"):
    row = {column: "" for column in COLUMNS[OPERATIONS]}
    row.update(name=name, coordinator="Synthetic", start_date="2024-03-01", arrests="5",
               source_url="https://example.org/synthetic/bomb")  # fmt: skip
    return [row[column] for column in COLUMNS[OPERATIONS]]


def read_in_subprocess(tmp_path, name, data):
    """read_table on the file in a fresh process: whether it was refused, the messages, and the process's peak
    resident memory in MB (Linux's VmHWM: everything, the interpreter and Django included) and that peak before
    reading."""
    path = tmp_path / name
    path.write_bytes(data)
    script = f"""
import json, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trafficking_ops.test_settings")
import django
django.setup()
def peak():  # the process's own high-water mark (ru_maxrss carries the parent's over fork and exec)
    status = open("/proc/self/status").read()
    return int(status.split("VmHWM:")[1].split()[0]) / 1024
baseline = peak()
from operations.importing import UploadedTable, read_table
from operations.importing.report import ImportReport, Rejected
report = ImportReport()
try:
    read_table(UploadedTable({name!r}, open({str(path)!r}, "rb").read()), "operations", report)
    refused = False
except Rejected:
    refused = True
print(json.dumps({{"refused": refused, "errors": [str(e) for e in report.errors],
                  "peak_mb": peak(),
                  "baseline_mb": baseline}}))
"""
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=300,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    print(name, f"{len(data):,} bytes", answer)
    return answer


def write_shared_strings(count):
    def write(part):
        part.write(f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}" count="{count}">'.encode())
        block = b"<si><t/></si>" * 100_000
        for _ in range(count // 100_000):
            part.write(block)
        part.write(b"</sst>")

    return write


BOMBS = {
    # A 1.5 KB workbook declaring the largest sheet Excel allows, with a cell in its last column and last row.
    "declared-huge.xlsx": lambda: xlsx(
        sheet(
            header_row() + inline_row(2, valid_row()) + '<row r="1048576"><c r="XFD1048576" t="n"><v>1</v></c></row>',
            dimension="A1:XFD1048576",
        ),
    ),  # fmt: skip
    # 20 million empty shared strings: about 1 MB deflated.
    "shared-strings.xlsx": lambda: xlsx(
        sheet(header_row() + inline_row(2, valid_row())), shared_writer=write_shared_strings(20_000_000)
    ),
    # 2 million cells in one header row of a small file.
    "wide-header.xlsx": lambda: xlsx(
        sheet(
            '<row r="1">'
            + "".join(f'<c r="A1" t="inlineStr"><is><t>c{i}</t></is></c>' for i in range(200_000))
            + "</row>"
            + inline_row(2, valid_row())
        )
    ),  # fmt: skip
    # 40,000 header columns in a CSV.
    "wide-header.csv": lambda: (",".join(f"column_{i}" for i in range(40_000)) + "\r\n" + "x\r\n").encode(),
}


@pytest.mark.parametrize("name", list(BOMBS))
@pytest.mark.slow
def test_a_spreadsheet_bomb_is_refused_before_memory_grows(tmp_path, name):
    data = BOMBS[name]()
    answer = read_in_subprocess(tmp_path, name, data)
    assert answer["refused"] and answer["errors"]
    assert answer["peak_mb"] < PEAK_LIMIT_MB


def test_a_valid_workbook_written_by_hand_is_read(tmp_path):
    """The hand-written workbook format itself is readable: the bombs are refused for what they hold."""
    answer = read_in_subprocess(tmp_path, "valid.xlsx", xlsx(sheet(header_row() + inline_row(2, valid_row()))))
    assert answer == {**answer, "refused": False, "errors": []}


def snapshot():
    return [model.objects.count() for model in (Operation, Participation, ReportedFigure, Source)]


def csv_file(rows, header=None):
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(header or COLUMNS[OPERATIONS])
    writer.writerows(rows)
    return buffer.getvalue().encode()


MALFORMED = {
    "cell over 128 KiB (CSV)": ("big.csv", lambda: csv_file([valid_row("x" * (130 * 1024))]), "128 KiB"),
    "cell over 128 KiB (XLSX)": (
        "big.xlsx",
        lambda: xlsx(sheet(header_row() + inline_row(2, valid_row("x" * (130 * 1024))))),
        "128 KiB",
    ),
    "workbook without a sheet": (
        "nosheet.xlsx",
        lambda: xlsx(workbook=f'<?xml version="1.0"?><workbook xmlns="{MAIN}"><sheets/></workbook>'),
        "no sheet",
    ),
    "malformed XML": ("broken.xlsx", lambda: xlsx("<worksheet><sheetData><row>"), "malformed"),
    "DTD with an entity bomb": (
        "lol.xlsx",
        lambda: xlsx(
            sheet(header_row()),
            shared='<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
            f'<sst xmlns="{MAIN}"><si><t>&lol2;</t></si></sst>',
        ),
        "DTD",
    ),
    "external entity (XXE)": (
        "xxe.xlsx",
        lambda: xlsx(
            '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
            f'<worksheet xmlns="{MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t></is></c>'
            "</row></sheetData></worksheet>"
        ),
        "DTD",
    ),
    "NUL byte past the first 4 KB": (
        "nul.csv",
        lambda: csv_file([valid_row(f"Synthetic padding {i} " + "p" * 100) for i in range(50)] + [valid_row("a\x00b")]),
        "NUL",
    ),
    "formula without its cached value": (
        "formula.xlsx",
        lambda: xlsx(
            sheet(
                header_row()
                + inline_row(2, valid_row()).replace(
                    f'<c r="{ARRESTS}2" t="inlineStr"><is><t>5</t></is></c>', f'<c r="{ARRESTS}2"><f>2+3</f></c>'
                )
            )
        ),  # fmt: skip
        "formula",
    ),
    "header only": ("header.csv", lambda: csv_file([]), "no data rows"),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_a_malformed_file_is_refused_with_a_clear_message_and_nothing_written(case):
    name, build, words = MALFORMED[case]
    before = snapshot()
    report = import_files(UploadedTable(name, build()), commit=True)
    assert not report.ok and not report.committed
    assert words.lower() in " ".join(str(error) for error in report.errors).lower(), report.errors
    assert snapshot() == before


def test_uploaded_previews_are_readable_by_the_server_only(client, editor):
    client.force_login(editor)
    upload = io.BytesIO(csv_file([valid_row()]))
    upload.name = "operations.csv"
    response = client.post("/admin/operations/operation/import/", {"operations_file": upload})
    assert response.status_code == 200
    token = response.context["token"]
    folder = importing.uploads._PENDING_DIR / token
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert all(stat.S_IMODE(path.stat().st_mode) == 0o600 for path in folder.iterdir())
