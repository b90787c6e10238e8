"""The spreadsheet import: one engine behind `manage.py import_figures` and the admin page; every error reported with
its row and column; all or nothing; files as Excel really writes them (BOM, Windows-1252, ';', XLSX)."""

import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from operations.figures import Figure, Qualifier
from operations.importing import COLUMNS, COUNTRY_RESULTS, OPERATIONS, UploadedTable, import_files, readers
from operations.models import Operation, Origin, Participation, Role
from tests.helpers.importing import (
    COUNTRY_ROWS,
    OPERATION_ROW,
    assert_rejected,
    csv_bytes,
    every_report,
    run,
    snapshot,
)

pytestmark = pytest.mark.django_db


def xlsx_bytes(kind, rows):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(COLUMNS[kind])
    for row in rows:
        sheet.append([row.get(column, "") for column in COLUMNS[kind]])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- Happy path ---------------------------------------------------------------------------------------------------


def assert_alpha_imported():
    operation = Operation.objects.get(name="Synthetic Operation Alpha")
    assert operation.figure("victims_rescued") == Figure(700, Qualifier.APPROX)
    assert operation.figure("arrests") == Figure(250, Qualifier.AT_LEAST)
    assert operation.figure("migrants_identified") == Figure(10_000, Qualifier.MORE_THAN)
    assert operation.figure("investigations_opened") == Figure(None)
    assert operation.year == 2024 and operation.countries_reported == 3
    assert {form.slug for form in operation.exploitation_forms.all()} == {"forced-labour", "sexual-exploitation"}
    assert operation.sources.filter(publisher="Synthetic Agency", title="Synthetic release").exists()
    brazil = operation.participations.get(country__iso2="BR")
    assert brazil.role == Role.COMMAND_CENTRE
    assert brazil.figure("victims_rescued") == Figure(300)
    ivory = operation.participations.get(country__iso2="CI")
    assert ivory.figure("victims_rescued") == Figure(10_000) and ivory.role == Role.PARTICIPANT
    figures = every_report(operation)
    assert len(figures) == 6
    assert {figure.origin for figure in figures} == {Origin.IMPORT}
    assert all(figure.is_preferred for figure in figures)
    return operation


def test_import_command_creates_operations_countries_and_figures_with_qualifiers(tmp_path, capsys):
    operations = tmp_path / "operations.csv"
    results = tmp_path / "country_results.csv"
    operations.write_bytes(csv_bytes(OPERATIONS, [OPERATION_ROW]))
    results.write_bytes(csv_bytes(COUNTRY_RESULTS, COUNTRY_ROWS))
    call_command("import_figures", str(operations), str(results))
    out = capsys.readouterr().out
    assert "operations 1 new" in out and "country rows 2 new" in out
    assert_alpha_imported()


def test_importing_the_same_files_again_changes_nothing():
    run(csv_bytes(OPERATIONS, [OPERATION_ROW]), csv_bytes(COUNTRY_RESULTS, COUNTRY_ROWS))
    before = snapshot()
    report = run(csv_bytes(OPERATIONS, [OPERATION_ROW]), csv_bytes(COUNTRY_RESULTS, COUNTRY_ROWS))
    assert report.ok
    assert report.operations["unchanged"] == ["Synthetic Operation Alpha"]
    assert report.countries == {"create": 0, "update": 0, "unchanged": 2}
    assert report.figures == 0
    assert snapshot()[:4] == before[:4]


def test_a_changed_figure_updates_the_preferred_value_and_keeps_the_old_report():
    run(csv_bytes(OPERATIONS, [OPERATION_ROW]))
    report = run(csv_bytes(OPERATIONS, [{**OPERATION_ROW, "arrests": "about 260"}]))
    assert report.ok and report.operations["update"] == ["Synthetic Operation Alpha"]
    operation = Operation.objects.get(name="Synthetic Operation Alpha")
    assert operation.figure("arrests") == Figure(260, Qualifier.APPROX)
    assert operation.reported_figures.filter(metric="arrests").count() == 2
    assert operation.version == 1


def test_preview_reports_create_update_unchanged_and_writes_nothing():
    run(csv_bytes(OPERATIONS, [OPERATION_ROW]))
    before = snapshot()
    rows = [
        OPERATION_ROW,
        {**OPERATION_ROW, "name": "Synthetic Operation Beta", "source_url": "https://example.org/beta"},
    ]
    report = run(csv_bytes(OPERATIONS, rows), commit=False)
    assert report.ok and not report.committed
    assert report.operations == {
        "create": ["Synthetic Operation Beta"],
        "update": [],
        "unchanged": ["Synthetic Operation Alpha"],
    }
    assert snapshot() == before


def test_country_results_can_add_to_a_stored_operation():
    report = run(
        None,
        csv_bytes(
            COUNTRY_RESULTS,
            [
                {
                    "operation": "Operation Weka II",
                    "country": "NE",
                    "arrests": "3",
                    "source_url": "https://example.org/n",
                }
            ],
        ),
    )
    assert report.ok, report.errors
    assert Participation.objects.get(operation__name="Operation Weka II", country__iso2="NE").arrests == 3


@pytest.mark.parametrize(
    "encoding,delimiter", [("utf-8-sig", ","), ("cp1252", ","), ("utf-8", ";"), ("cp1252", ";")], ids=str
)
def test_excel_csv_variants_are_read(encoding, delimiter):
    rows = [{**OPERATION_ROW, "name": "Synthetic Opération Côte"}]
    results = [{**row, "operation": "Synthetic Opération Côte"} for row in COUNTRY_ROWS]
    data = csv_bytes(OPERATIONS, rows, encoding=encoding, delimiter=delimiter)
    if encoding == "utf-8-sig":
        assert data.startswith(b"\xef\xbb\xbf")
    if encoding == "cp1252":
        assert b"Op\xe9ration C\xf4te" in data
    report = run(data, csv_bytes(COUNTRY_RESULTS, results, encoding=encoding, delimiter=delimiter))
    assert report.ok, [str(error) for error in report.errors]
    operation = Operation.objects.get(name="Synthetic Opération Côte")
    assert operation.participations.filter(country__iso2="CI").exists()
    assert operation.figure("migrants_identified") == Figure(10_000, Qualifier.MORE_THAN)


def test_xlsx_files_are_read():
    report = import_files(
        UploadedTable("operations.xlsx", xlsx_bytes(OPERATIONS, [OPERATION_ROW])),
        UploadedTable("country_results.xlsx", xlsx_bytes(COUNTRY_RESULTS, COUNTRY_ROWS)),
        commit=True,
    )
    assert report.ok, [str(error) for error in report.errors]
    assert report.files["operations.xlsx"].startswith("XLSX")
    assert_alpha_imported()


# --- Bad files: a clear report, and nothing written ---------------------------------------------------------------


def test_import_with_bad_rows_writes_nothing_and_lists_every_error():
    before = snapshot()
    rows = [
        {**OPERATION_ROW, "arrests": "-5"},
        {**OPERATION_ROW, "name": "Synthetic Beta", "victims_rescued": "lots", "end_date": "2024-02-01"},
    ]
    results = [{**COUNTRY_ROWS[0], "country": "Atlantis"}, COUNTRY_ROWS[1]]
    report = run(csv_bytes(OPERATIONS, rows), csv_bytes(COUNTRY_RESULTS, results))
    assert_rejected(
        report,
        before,
        ("operations.csv", 2, "arrests", "negative"),
        ("operations.csv", 3, "victims_rescued", "not a figure"),
        ("operations.csv", 3, "end_date", "before the start date"),
        ("country_results.csv", 2, "country", "unknown country 'Atlantis'"),
    )
    assert len(report.errors) == 4


def test_missing_and_unknown_columns_are_named():
    before = snapshot()
    columns = [column for column in COLUMNS[OPERATIONS] if column != "arrests"] + ["arests"]
    report = run(csv_bytes(OPERATIONS, [OPERATION_ROW], columns=columns))
    assert_rejected(
        report, before, ("operations.csv", 1, "arrests", "missing column"), ("operations.csv", 1, "arests", "unknown")
    )


def test_duplicate_rows_are_refused():
    before = snapshot()
    report = run(csv_bytes(OPERATIONS, [OPERATION_ROW]), csv_bytes(COUNTRY_RESULTS, [COUNTRY_ROWS[0]] * 2))
    assert_rejected(report, before, ("country_results.csv", 3, "country", "duplicate row"))
    report = run(csv_bytes(OPERATIONS, [OPERATION_ROW, OPERATION_ROW]))
    assert_rejected(report, before, ("operations.csv", 3, "name", "duplicate row"))


def test_an_operation_name_differing_only_by_case_is_refused():
    before = snapshot()
    report = run(csv_bytes(OPERATIONS, [{**OPERATION_ROW, "name": "OPERATION WEKA II"}]))
    assert_rejected(report, before, ("operations.csv", 2, "name", "differs only by case from the existing"))
    report = run(csv_bytes(OPERATIONS, [OPERATION_ROW, {**OPERATION_ROW, "name": OPERATION_ROW["name"].lower()}]))
    assert_rejected(report, before, ("operations.csv", 3, "name", "differs only by case"))


def test_a_figure_without_a_source_is_refused():
    before = snapshot()
    report = run(csv_bytes(OPERATIONS, [{**OPERATION_ROW, "source_url": ""}]))
    assert_rejected(report, before, ("operations.csv", 2, "source_url", "every figure needs a source"))


def test_countries_adding_up_to_more_than_an_exact_total_are_refused():
    before = snapshot()
    rows = [{**OPERATION_ROW, "victims_rescued": "500"}]
    report = run(csv_bytes(OPERATIONS, rows), csv_bytes(COUNTRY_RESULTS, COUNTRY_ROWS))
    assert_rejected(report, before, ("country_results.csv", 2, "victims_rescued", "add up to 10,300"))


@pytest.mark.parametrize(
    "data,words",
    [
        ("name\n".encode("utf-16"), "UTF-16"),
        (b"name,\x81\x8d\x8f\n", "neither UTF-8 nor Windows-1252"),
        (b"PK\x03\x04 not really a workbook", "not a readable XLSX"),
        (b"", "empty"),
    ],
    ids=["utf16", "undecodable", "broken-xlsx", "empty"],
)
def test_unreadable_files_get_a_clear_message(data, words):
    before = snapshot()
    report = run(data)
    assert_rejected(report, before, ("operations.csv", None, None, words))


def test_an_oversize_file_is_refused_before_anything_is_written(monkeypatch):
    before = snapshot()
    monkeypatch.setattr(readers, "MAX_ROWS", 3)
    report = run(csv_bytes(OPERATIONS, [{**OPERATION_ROW, "name": f"Synthetic {n}"} for n in range(5)]))
    assert_rejected(report, before, ("operations.csv", None, None, "more than 3 data rows"))
    monkeypatch.setattr(readers, "MAX_BYTES", 100)
    report = run(csv_bytes(OPERATIONS, [OPERATION_ROW]))
    assert_rejected(report, before, ("operations.csv", None, None, "the limit is 0 MB"))


def test_command_exits_with_every_error_and_writes_nothing(tmp_path, capsys):
    before = snapshot()
    path = tmp_path / "operations.csv"
    path.write_bytes(csv_bytes(OPERATIONS, [{**OPERATION_ROW, "arrests": "many", "victims_rescued": "-1"}]))
    with pytest.raises(CommandError, match="2 error"):
        call_command("import_figures", str(path))
    err = capsys.readouterr().err
    assert "operations.csv, row 2, column arrests" in err
    assert "operations.csv, row 2, column victims_rescued" in err
    assert snapshot() == before


# --- The admin page ---------------------------------------------------------------------------------------------


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def upload(name, data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="text/csv")


def test_admin_import_previews_then_imports_on_confirmation(editor_client, editor):
    url = reverse("admin:operations_operation_import")
    assert editor_client.get(url).status_code == 200
    before = snapshot()
    response = editor_client.post(
        url,
        {
            "operations_file": upload("operations.csv", csv_bytes(OPERATIONS, [OPERATION_ROW])),
            "country_results_file": upload("country_results.csv", csv_bytes(COUNTRY_RESULTS, COUNTRY_ROWS)),
        },
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Preview" in html and "Synthetic Operation Alpha" in html
    assert snapshot() == before
    token = response.context["token"]
    response = editor_client.post(url, {"confirm": "1", "token": token})
    assert response.status_code == 302
    operation = assert_alpha_imported()
    assert operation.history.first().history_user == editor
    # The same preview cannot be imported twice.
    response = editor_client.post(url, {"confirm": "1", "token": token}, follow=True)
    assert "expired" in response.content.decode()


def test_admin_import_lists_every_error_and_writes_nothing(editor_client):
    before = snapshot()
    response = editor_client.post(
        reverse("admin:operations_operation_import"),
        {"operations_file": upload("operations.csv", csv_bytes(OPERATIONS, [{**OPERATION_ROW, "arrests": "x"}] * 2))},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert html.count('class="import-error"') == 2  # the bad figure on row 2, the duplicate on row 3
    assert "Confirm import" not in html
    assert snapshot() == before


def test_admin_import_page_is_for_editors_only(client, analyst):
    analyst.is_staff = True
    analyst.save()
    client.force_login(analyst)
    response = client.get(reverse("admin:operations_operation_import"))
    assert response.status_code == 302
    assert reverse("admin:login") in response.url


def test_the_readme_example_imports_as_documented():
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    operations, results = re.findall(r"```csv\n(.*?)```", readme, re.S)
    report = run(operations.encode(), results.encode())
    assert report.ok, [str(error) for error in report.errors]
    operation = Operation.objects.get(name="Synthetic Operation Example")
    assert operation.figure("arrests") == Figure(250, Qualifier.AT_LEAST)
    assert operation.participations.get(country__iso2="CI").figure("victims_rescued") == Figure(40, Qualifier.APPROX)


def test_imported_preferred_values_equal_a_fresh_computation():
    from tests.helpers.sync import assert_in_sync

    run(csv_bytes(OPERATIONS, [OPERATION_ROW]), csv_bytes(COUNTRY_RESULTS, COUNTRY_ROWS))
    run(csv_bytes(OPERATIONS, [{**OPERATION_ROW, "victims_rescued": "720"}]))
    assert_in_sync(Operation.objects.get(name="Synthetic Operation Alpha"))
    for name in ("Operation Weka II", "Operation Libertad"):
        assert_in_sync(Operation.objects.get(name=name))


# --- Cells as the issue lists them; more bad files -------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell,expected",
    [
        ("700", Figure(700)),
        ("nearly 700", Figure(700, Qualifier.APPROX)),
        ("about 4,000", Figure(4_000, Qualifier.APPROX)),
        ("250+", Figure(250, Qualifier.AT_LEAST)),
        ("at least 5", Figure(5, Qualifier.AT_LEAST)),
        ("more than 10,000", Figure(10_000, Qualifier.MORE_THAN)),
        ("10 000", Figure(10_000)),
        ("", Figure(None)),
    ],
    ids=str,
)
def test_every_figure_cell_the_format_lists_is_stored_as_value_and_qualifier(cell, expected):
    report = run(csv_bytes(OPERATIONS, [{**OPERATION_ROW, "arrests": cell}]))
    assert report.ok, [str(error) for error in report.errors]
    operation = Operation.objects.get(name=OPERATION_ROW["name"])
    assert operation.figure("arrests") == expected
    assert operation.reported_figures.filter(metric="arrests").count() == (0 if cell == "" else 1)


def test_country_cells_take_iso_codes_and_english_spanish_and_french_names():
    cells = {"BRA": "BR", "es": "ES", "Alemania": "DE", "Royaume-Uni": "GB", "Ivory Coast": "CI", "Türkiye": "TR"}
    rows = [
        {"operation": OPERATION_ROW["name"], "country": cell, "arrests": "1", "source_url": "https://example.org/c"}
        for cell in cells
    ]
    report = run(csv_bytes(OPERATIONS, [OPERATION_ROW]), csv_bytes(COUNTRY_RESULTS, rows))
    assert report.ok, [str(error) for error in report.errors]
    stored = set(
        Participation.objects.filter(operation__name=OPERATION_ROW["name"]).values_list("country__iso2", flat=True)
    )
    assert stored == set(cells.values())


def test_bad_country_rows_are_each_reported_and_nothing_is_written():
    before = snapshot()
    results = [
        {**COUNTRY_ROWS[0], "victims_rescued": "-3"},
        {**COUNTRY_ROWS[1], "arrests": "a dozen"},
        {**COUNTRY_ROWS[1], "operation": "Synthetic Operation Nowhere", "country": "AR"},
    ]
    report = run(csv_bytes(OPERATIONS, [OPERATION_ROW]), csv_bytes(COUNTRY_RESULTS, results))
    assert_rejected(
        report,
        before,
        ("country_results.csv", 2, "victims_rescued", "negative"),
        ("country_results.csv", 3, "arrests", "not a figure"),
        ("country_results.csv", 4, "operation", "Synthetic Operation Nowhere"),
    )


@pytest.mark.slow
def test_a_file_of_more_than_100000_rows_is_refused_whole():
    before = snapshot()
    row = {"operation": "Operation Weka II", "country": "NE", "arrests": "1", "source_url": "https://example.org/x"}
    data = csv_bytes(COUNTRY_RESULTS, [row] * 100_001)
    report = run(None, data)
    assert_rejected(report, before, ("country_results.csv", None, None, "more than 100,000 data rows"))


def test_command_dry_run_previews_and_writes_nothing(tmp_path, capsys):
    before = snapshot()
    path = tmp_path / "operations.csv"
    path.write_bytes(csv_bytes(OPERATIONS, [OPERATION_ROW]))
    call_command("import_figures", str(path), "--dry-run")
    out = capsys.readouterr().out
    assert "operations 1 new" in out
    assert snapshot() == before
