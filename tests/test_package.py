"""The data package, the tracker's one interchange format: export_package writes the database in it, the package
import (load_reference, import_figures, the admin page) reads it back, the round trip is byte-identical, exports pass
frictionless and validate.py, and a bad package is refused whole with every error located."""

import io
import shutil
import subprocess
import sys
import zipfile

import frictionless
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from operations import datapackage, services
from operations.figures import Figure, Qualifier
from operations.importing import UploadedTable, import_files, import_package
from operations.models import ExportLog, Operation, Participation, ReportedFigure, Role, Source
from tests.helpers.importing import assert_rejected, snapshot

pytestmark = pytest.mark.django_db

FILES = ["sources.csv", "operations.csv", "participations.csv", "figures.csv"]


def empty_the_database():
    """What a package carries, deleted (inside the test's transaction): the tables are as empty as after migrate.
    Raw deletes: per-row deletion signals and history took most of a minute here, and are not what is tested."""
    for model in (ReportedFigure, Operation.sources.through, Operation.exploitation_forms.through, Participation):
        model.objects.all()._raw_delete(model.objects.db)
    for model in (Operation, Source):
        model.objects.all()._raw_delete(model.objects.db)
    services.refresh_country_totals()


def export(folder):
    datapackage.write_folder(folder)
    return {name: (folder / name).read_bytes() for name in [*FILES, *datapackage.COMPANION_FILES]}


def assert_valid_package(folder):
    """The third-party validator, then the package's own validate.py (frictionless + cross-table rules)."""
    report = frictionless.validate(str(folder / "datapackage.json"))
    assert report.valid, report.flatten(["type", "note"])
    checked = subprocess.run(
        [sys.executable, str(folder / "validate.py"), str(folder)], capture_output=True, text=True, timeout=120
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "[checks] all checks passed" in checked.stdout


# --- Export and round trip ----------------------------------------------------------------------------------------


def test_exporting_the_loaded_reference_data_gives_the_vendored_package_back_byte_for_byte(tmp_path):
    files = export(tmp_path)
    for name, data in files.items():
        assert data == (settings.REFERENCE_DIR / name).read_bytes(), name


@pytest.mark.slow
def test_export_import_into_an_empty_database_export_is_byte_identical(tmp_path):
    # An editor's own report beside the reference ones: a correction with its phrase, quote and note.
    weka = Operation.objects.get(slug="weka-ii")
    oman = weka.participations.get(country__iso2="OM")
    source = Source.objects.create(
        publisher="Synthetic publisher", url="https://example.org/synthetic-oman", language="en", is_primary=False
    )
    services.record_figure(
        operation=weka,
        participation=oman,
        metric="arrests",
        figure=Figure(12, Qualifier.AT_LEAST),
        source=source,
        quote="synthetic: at least 12 were arrested",
        preferred=True,
    )
    ReportedFigure.objects.filter(source=source).update(stated_as="at least 12", note="synthetic note")
    first = export(tmp_path / "first")
    assert_valid_package(tmp_path / "first")
    assert b"synthetic: at least 12 were arrested" in first["figures.csv"]

    empty_the_database()
    assert not Operation.objects.exists()
    report = import_package(tmp_path / "first", commit=True)
    assert report.ok, [str(issue) for issue in report.errors]
    second = export(tmp_path / "second")
    assert second == first

    # What survives, row by row: every report (preferred and alternatives), quote, stated_as, note, source, role,
    # date precision, verified flag.
    weka = Operation.objects.get(slug="weka-ii")
    assert weka.figure("victims_rescued") == Figure(700, Qualifier.APPROX)
    victims = weka.reported_figures.filter(metric="victims_rescued", participation=None)
    assert sorted(victims.values_list("stated_as", "is_preferred")) == [
        ("almost 700", False),
        ("nearly 700", False),
        ("près de 700", True),
    ]
    oman = weka.participations.get(country__iso2="OM")
    ours = oman.reported_figures.get(metric="arrests")
    assert (ours.stated_as, ours.quote, ours.note, ours.source.url) == (
        "at least 12",
        "synthetic: at least 12 were arrested",
        "synthetic note",
        "https://example.org/synthetic-oman",
    )
    assert oman.figure("arrests") == Figure(12, Qualifier.AT_LEAST)
    assert set(
        Operation.objects.get(slug="storm-makers")
        .participations.filter(role=Role.COMMAND_CENTRE)
        .values_list("country__iso2", flat=True)
    ) == {"VN", "AE"}
    assert Operation.objects.get(slug="flash-weka").date_precision == "month"
    assert not Operation.objects.get(slug="unnamed-americas-press-report").is_verified


def test_a_figure_entered_without_its_phrase_exports_its_reading_and_round_trips(tmp_path):
    libertad = Operation.objects.get(slug="libertad")
    source = Source.objects.create(
        publisher="Synthetic publisher", url="https://example.org/synthetic-libertad", language="en"
    )
    services.record_figure(
        operation=libertad,
        metric="investigations_opened",
        figure=Figure(40, Qualifier.MORE_THAN),
        source=source,
        quote="synthetic: more than 40 investigations",
    )
    first = export(tmp_path / "first")
    assert b"libertad,,investigations_opened,40,more_than,more than 40," in first["figures.csv"]
    empty_the_database()
    assert import_package(tmp_path / "first", commit=True).ok
    assert export(tmp_path / "second") == first


@pytest.mark.slow
def test_export_package_command_writes_a_zip_that_frictionless_validates(tmp_path, capsys):
    call_command("export_package", str(tmp_path / "dataset.zip"))
    assert "Data package written" in capsys.readouterr().out
    with zipfile.ZipFile(tmp_path / "dataset.zip") as archive:
        assert archive.testzip() is None
        assert sorted(archive.namelist()) == sorted([*FILES, *datapackage.COMPANION_FILES])
        archive.extractall(tmp_path / "unpacked")
    assert_valid_package(tmp_path / "unpacked")
    for name in FILES:
        assert (tmp_path / "unpacked" / name).read_bytes() == (settings.REFERENCE_DIR / name).read_bytes()
    # The same data gives the same zip, byte for byte (no timestamps inside).
    call_command("export_package", str(tmp_path / "again.zip"), stdout=io.StringIO())
    assert (tmp_path / "again.zip").read_bytes() == (tmp_path / "dataset.zip").read_bytes()


def test_a_selection_exports_only_its_operations_and_what_they_cite(tmp_path):
    selection = Operation.objects.filter(slug__in=["weka-ii", "libertad"])
    datapackage.write_folder(tmp_path, selection)
    assert_valid_package(tmp_path)
    operations = (tmp_path / "operations.csv").read_text(encoding="utf-8").splitlines()
    assert [line.split(",", 1)[0] for line in operations[1:]] == ["libertad", "weka-ii"]
    sources = (tmp_path / "sources.csv").read_text(encoding="utf-8")
    assert "interpol-2022-06-weka-ii-fr," in sources
    assert "frontex-2024-06-global-chain-2024," not in sources


# --- Imports through import_figures and the admin ---------------------------------------------------------------


def test_import_figures_takes_a_package_folder_or_zip_all_or_nothing(tmp_path, capsys):
    datapackage.write_folder(tmp_path / "pkg")
    empty_the_database()
    call_command("import_figures", str(tmp_path / "pkg"), "--dry-run")
    assert "Would import: operations 48 new" in capsys.readouterr().out
    (tmp_path / "pkg.zip").write_bytes(zipped(tmp_path / "pkg"))  # a zip on disk is read from its path
    call_command("import_figures", str(tmp_path / "pkg.zip"), "--dry-run")
    assert "Would import: operations 48 new" in capsys.readouterr().out
    assert not Operation.objects.exists()
    call_command("import_figures", str(settings.REFERENCE_DIR))
    assert Operation.objects.count() == 48
    with pytest.raises(CommandError, match="cannot read"):
        call_command("import_figures", str(tmp_path / "missing.zip"))


def zipped(folder, *, inside=""):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.iterdir()):
            archive.write(path, f"{inside}{path.name}")
    return buffer.getvalue()


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def test_the_admin_import_previews_a_zipped_package_then_imports_it(editor_client, tmp_path):
    package = tmp_path / "pkg"
    shutil.copytree(settings.REFERENCE_DIR, package)
    with (package / "figures.csv").open("a", encoding="utf-8") as handle:
        handle.write("tuy,,arrests,9,exact,nine,interpol-2012-11-22-tuy-fr,synthetic: nine were arrested,false,\n")
    url = reverse("admin:operations_operation_import")
    before = snapshot()
    upload = SimpleUploadedFile("dataset.zip", zipped(package, inside="dataset/"), content_type="application/zip")
    response = editor_client.post(url, {"operations_file": upload})
    assert response.status_code == 200, [str(e) for e in response.context["report"].errors]
    assert "Would import: operations 0 new" in response.content.decode()
    assert "1 figures recorded" in response.content.decode()
    assert snapshot() == before
    response = editor_client.post(url, {"confirm": "1", "token": response.context["token"]})
    assert response.status_code == 302
    report = ReportedFigure.objects.get(operation__slug="tuy", stated_as="nine")
    assert (report.value, report.is_preferred, report.quote) == (9, False, "synthetic: nine were arrested")


def test_an_xlsx_workbook_is_still_read_as_a_spreadsheet_not_a_package():
    import openpyxl

    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)
    report = import_files(UploadedTable("operations.xlsx", buffer.getvalue()), commit=False)
    assert any("empty" in issue.message for issue in report.errors)


# --- Bad packages: refused whole, every error located --------------------------------------------------------------


@pytest.fixture
def package(tmp_path):
    folder = tmp_path / "bad"
    shutil.copytree(settings.REFERENCE_DIR, folder)
    return folder


def edit(folder, name, old, new, count=1):
    text = (folder / name).read_text(encoding="utf-8")
    assert text.count(old) >= count, old
    (folder / name).write_text(text.replace(old, new, count), encoding="utf-8")


def line_of(folder, name, start):
    """The spreadsheet row number (header = 1) of the first line starting with `start`."""
    for number, line in enumerate((folder / name).read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith(start):
            return number
    raise AssertionError(start)


def assert_refused(folder, *expected):
    before = snapshot()
    report = import_package(folder, commit=True)
    assert_rejected(report, before, *expected)
    return report


def test_a_missing_file_is_refused(package):
    (package / "participations.csv").unlink()
    assert_refused(package, ("participations.csv", None, None, "missing file"))


def test_an_unknown_column_is_refused(package):
    edit(package, "sources.csv", "is_primary\n", "is_primary,rating\n")
    assert_refused(package, ("sources.csv", 1, "rating", "unknown column"))


def test_a_broken_foreign_key_is_refused(package):
    row = line_of(package, "figures.csv", "tuy,")
    edit(package, "figures.csv", "\ntuy,", "\nno-such-operation,")
    assert_refused(package, ("figures.csv", row, "operation", "'no-such-operation' is not an id in operations.csv"))


def test_two_preferred_reports_for_one_figure_are_refused(package):
    row = line_of(package, "figures.csv", "libertad,,victims_rescued,350,exact,350,caribbeanlife")
    lines = (package / "figures.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    lines[row - 1] = lines[row - 1].replace(",false,", ",true,")
    (package / "figures.csv").write_text("".join(lines), encoding="utf-8")
    assert_refused(package, ("figures.csv", row, "preferred", "2 preferred reports"))


def test_a_figure_without_quote_or_source_is_refused(package):
    quote_row = line_of(package, "figures.csv", "akoma,,arrests,22,exact,22,iom-2015-06-akoma")
    source_row = line_of(package, "figures.csv", "akoma,,arrests,22,exact,22,reuters-2015-06-23-akoma")
    lines = (package / "figures.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    lines[quote_row - 1] = "akoma,,arrests,22,exact,22,iom-2015-06-akoma,,true,\n"
    lines[source_row - 1] = "akoma,,arrests,22,exact,22,,synthetic quote,false,\n"
    (package / "figures.csv").write_text("".join(lines), encoding="utf-8")
    assert_refused(
        package,
        ("figures.csv", quote_row, "quote", "required"),
        ("figures.csv", source_row, "source", "required"),
    )


def test_a_negative_value_and_an_unknown_qualifier_are_refused(package):
    row = line_of(package, "figures.csv", "andes,,arrests,49,exact,49,")
    edit(package, "figures.csv", "andes,,arrests,49,exact,49,", "andes,,arrests,-49,roughly,49,")
    assert_refused(
        package,
        ("figures.csv", row, "value", "less than 0"),
        ("figures.csv", row, "qualifier", "'roughly' is not one of"),
    )


def test_every_error_of_a_bad_package_is_listed_at_once(package):
    edit(package, "operations.csv", "2022-06-12,2022-06-17,day", "2022-06-12,2022-06-17,weekly")
    edit(package, "participations.csv", "libertad,BB,command_centre", "libertad,QQ,command_centre")
    edit(package, "sources.csv", ",en,false\n", ",en,maybe\n")
    report = assert_refused(package)
    files = {issue.file for issue in report.errors}
    assert files == {"operations.csv", "participations.csv", "sources.csv"}
    assert all(issue.row and issue.column for issue in report.errors)


def test_load_reference_refuses_a_bad_package_and_says_where(package, capsys):
    edit(package, "figures.csv", "andes,,arrests,49,exact,49,", "andes,,arrests,-49,exact,49,")
    with pytest.raises(CommandError, match="nothing was loaded"):
        call_command("load_reference", dir=package)
    assert "figures.csv, row" in capsys.readouterr().err


def test_a_package_that_is_no_zip_is_a_clear_error():
    report = import_package(UploadedTable("dataset.zip", b"PK\x03\x04 broken"), commit=False)
    assert not report.ok and "not a readable data package" in report.errors[0].message


# --- Download the dataset -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/operations/?coordinator=Europol",
        "/results/?country=BR",
        "/countries/?region=Africa",
        "/countries/br/",
        "/?region=Europe",
    ],
)
def test_staff_download_the_dataset_of_what_the_filters_select_and_it_is_logged(client, staff_user, url):
    client.force_login(staff_user)
    page = client.get(url)
    assert page.status_code == 200, url
    assert "Download the dataset" in page.content.decode()
    response = client.get(url + ("&" if "?" in url else "?") + "_export=package")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "dataset" in response["Content-Disposition"]
    data = b"".join(response.streaming_content)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        operations = archive.read("operations.csv").decode().splitlines()
    assert len(operations) > 1
    log = ExportLog.objects.get()
    assert (log.table, log.format, log.status, log.username) == ("dataset", "zip", "complete", staff_user.username)
    assert log.row_count > len(operations) - 1


def test_the_dataset_download_is_refused_without_the_export_permission(analyst_client):
    assert "Download the dataset" not in analyst_client.get("/operations/").content.decode()
    assert analyst_client.get("/operations/?_export=package").status_code == 403
    assert analyst_client.get("/?_export=package").status_code == 403
    assert not ExportLog.objects.exists()


# --- Refreshing the vendored copy ------------------------------------------------------------------------------------


@pytest.mark.slow
def test_refresh_reference_copies_a_valid_newer_package_and_refuses_a_broken_one(package, tmp_path, monkeypatch):
    vendored = tmp_path / "vendored"
    shutil.copytree(settings.REFERENCE_DIR, vendored)
    monkeypatch.setattr(datapackage, "FORMAT_DIR", vendored)
    edit(package, "figures.csv", "andes,,arrests,49,exact,49,", "andes,,arrests,-49,exact,49,")
    with pytest.raises(CommandError, match="nothing was copied"):
        call_command("refresh_reference", "--from", str(package), stdout=io.StringIO())
    assert (vendored / "figures.csv").read_bytes() == (settings.REFERENCE_DIR / "figures.csv").read_bytes()

    edit(package, "figures.csv", "andes,,arrests,-49,exact,49,", "andes,,arrests,49,exact,49,")
    edit(package, "README.md", "# Police operations", "# Police operations (newer)")
    out = io.StringIO()
    call_command("refresh_reference", "--from", str(package), stdout=out)
    assert "all checks passed" in out.getvalue() and "Copied into" in out.getvalue()
    assert (vendored / "README.md").read_text(encoding="utf-8").startswith("# Police operations (newer)")
