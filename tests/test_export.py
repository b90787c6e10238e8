"""Exports: exactly the filtered rows in the table's order, streamed, Excel-safe, named after what they hold, for the
roles allowed to export, logged; and the data dictionary that defines their columns."""

import csv
import http.client
import io
import re
import socket
import subprocess
import sys
from datetime import date, datetime
from decimal import Decimal
from html import unescape as html_unescape
from pathlib import Path

import pytest
from django.db import OperationalError, connection
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from operations import exports, queries, services
from operations.countries import name_order
from operations.figures import Figure, Metric, Qualifier
from operations.models import METRICS, Country, ExportLog, Operation, Participation, ReportedFigure, Source
from tests.factories import synthetic_operations
from tests.helpers.pages import row_keys

pytestmark = pytest.mark.django_db

FORMULA_NAMES = [
    "=1+1 Synthetic formula operation",
    "+Synthetic plus operation",
    "-Synthetic minus operation",
    "@Synthetic at operation",
    "\tSynthetic tab operation",
    "\rSynthetic carriage-return operation",
]
# Names that start no formula in a comma file but do in a spreadsheet splitting on ";" or tab (European Excel), or
# reading the line break inside a quoted cell as the end of a row.
SPLIT_FORMULA_NAMES = [
    "FXS;=2+2; Synthetic",
    "Synthetic\t+3\tTab",
    'Synthetic; "=HYPERLINK(""x"")"',
    "Synthetic, -4 comma",
    "Synthetic;  @SUM(A1)",
    "Synthetic line\n=5 break",
    "Synthetic cr\r-6",
    " =7 Synthetic leading space",
]


def read_csv(content: bytes) -> list[dict]:
    """Parse an export the way a standard tool does: the BOM is read by utf-8-sig, the rest by the csv module."""
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def synthetic_operation(name, slug, **figures):
    """A synthetic operation with operation-wide figures, each recorded with a synthetic source."""
    operation = Operation.objects.create(name=name, slug=slug, year=2031, is_verified=False)
    source = Source.objects.create(publisher="Synthetic wire", url=f"https://example.org/synthetic/{slug}")
    for metric, figure in figures.items():
        services.record_figure(operation=operation, metric=metric, figure=figure, source=source)
    return operation


@pytest.fixture
def unicode_results():
    """A synthetic operation in Curaçao, Côte d'Ivoire and São Tomé, with per-country figures and one unknown."""
    operation = synthetic_operation("Synthetic São Tomé sweep", "synthetic-sao-tome-sweep")
    source = Source.objects.create(publisher="Synthetic agency", url="https://example.org/synthetic/çà?x=1,2")
    for iso2, victims in [("CW", Figure(12, Qualifier.APPROX)), ("CI", Figure(None)), ("ST", Figure(7))]:
        participation = Participation.objects.create(operation=operation, country=Country.objects.get(iso2=iso2))
        if victims.known:
            services.record_figure(
                operation=operation,
                participation=participation,
                metric=Metric.VICTIMS_RESCUED,
                figure=victims,
                source=source,
            )
        services.record_figure(
            operation=operation, participation=participation, metric=Metric.ARRESTS, figure=Figure(3), source=source
        )
    return operation


def expected_result_row(participation: Participation) -> dict:
    """What the results export must say about one participation, computed from the models, not from the export."""
    row = {
        "operation": participation.operation.name,
        "operation_slug": participation.operation.slug,
        "year": str(participation.operation.year or ""),
        "verified": "true" if participation.operation.is_verified else "false",
        "country": participation.country.name,
        "country_iso2": participation.country.iso2,
        "country_iso3": participation.country.iso3,
        "region": participation.country.region,
        "role": participation.role,
    }
    for metric in METRICS:
        value = getattr(participation, metric.value)
        preferred = ReportedFigure.objects.filter(participation=participation, metric=metric, is_preferred=True).first()
        row[metric.value] = "" if value is None else str(value)
        row[f"{metric.value}_qualifier"] = getattr(participation, f"{metric.value}_qualifier")
        row[f"{metric.value}_source_url"] = preferred.source.url if preferred else ""
    return {key: exports.escape_formula(value) for key, value in row.items()}


# --- The writer ----------------------------------------------------------------------------------------------------


def test_csv_starts_with_a_utf8_bom_and_the_csv_module_reads_it_with_utf8_sig(unicode_results):
    content = b"".join(
        exports.stream_csv(exports.RESULTS.headers, exports.RESULTS.rows(unicode_results.participations.all()))
    )
    assert content.startswith(b"\xef\xbb\xbf")
    assert content[3:].startswith(b"operation,operation_slug,")
    rows = read_csv(content)
    assert list(rows[0]) == exports.RESULTS.headers  # the BOM is not glued to the first header


def test_csv_without_bom_on_request_is_plain_utf8(unicode_results):
    content = b"".join(
        exports.stream_csv(
            exports.RESULTS.headers, exports.RESULTS.rows(unicode_results.participations.all()), bom=False
        )
    )
    assert content.startswith(b"operation,")
    assert read_csv(content)[0]["operation"] == "Synthetic São Tomé sweep"


def test_results_csv_parsed_back_equals_the_database_with_accents_and_unknowns(unicode_results):
    # Sorted by country as English sorts names (ICU): Côte d'Ivoire before Curaçao, not in byte order.
    participations = Participation.objects.filter(operation=unicode_results).order_by(name_order("country__iso2", "en"))
    content = b"".join(exports.stream_csv(exports.RESULTS.headers, exports.RESULTS.rows(participations)))
    rows = read_csv(content)
    assert rows == [expected_result_row(p) for p in participations]
    # The order of accented names is the database collation's (SQLite and PostgreSQL differ): look rows up by code.
    by_iso2 = {row["country_iso2"]: row for row in rows}
    assert {iso2: row["country"] for iso2, row in by_iso2.items()} == {
        "CW": "Curaçao",
        "CI": "Côte d'Ivoire",
        "ST": "Sao Tome and Principe",
    }
    ivory_coast, curacao = by_iso2["CI"], by_iso2["CW"]
    assert ivory_coast["victims_rescued"] == ""  # unknown is an empty cell, never 0
    assert ivory_coast["victims_rescued_qualifier"] == ""
    assert ivory_coast["victims_rescued_source_url"] == ""
    assert curacao["victims_rescued"] == "12"
    assert curacao["victims_rescued_qualifier"] == "approx"
    assert curacao["victims_rescued_source_url"] == "https://example.org/synthetic/çà?x=1,2"


def test_text_cells_that_start_a_formula_are_escaped_and_numbers_never_are():
    for index, name in enumerate(FORMULA_NAMES):
        synthetic_operation(name, f"synthetic-formula-{index}", arrests=Figure(-0 + 5 + index))
    operations = queries.operation_rows(
        Operation.objects.filter(slug__startswith="synthetic-formula-").order_by("slug")
    )
    rows = read_csv(b"".join(exports.stream_csv(exports.OPERATIONS.headers, exports.OPERATIONS.rows(operations))))
    assert [row["operation"] for row in rows] == ["'" + name for name in FORMULA_NAMES]
    assert [row["arrests"] for row in rows] == [str(5 + index) for index in range(len(FORMULA_NAMES))]
    assert all(row["year"] == "2031" for row in rows)


def test_escape_formula_leaves_safe_text_numbers_and_unknowns_alone():
    assert exports.escape_formula("Operation Libertad") == "Operation Libertad"
    assert exports.escape_formula("Côte d'Ivoire") == "Côte d'Ivoire"
    assert exports.escape_formula("a=b") == "a=b"
    assert exports.escape_formula("") == ""
    assert exports.escape_formula(None) is None
    assert exports.escape_formula(-5) == -5
    assert exports.escape_formula("=SUM(A1)") == "'=SUM(A1)"
    assert exports.escape_formula("-2+3") == "'-2+3"
    assert exports.escape_formula("Smith, Jones-Brown; 2-3") == "Smith, Jones-Brown; 2-3"
    assert exports.escape_formula("FXS;=2+2;") == "FXS;'=2+2;"


def cells_after_splitting(text: str, separator: str) -> list[str]:
    """Every cell a spreadsheet could make of the export when it splits on `separator`: by a CSV reader that honours
    quotes at a cell's start, and naively on every separator and line break, with leading spaces and quotes (which
    readers trim or take as a quoted cell's start) removed."""
    cells = [cell for row in csv.reader(io.StringIO(text, newline=""), delimiter=separator) for cell in row]
    for line in re.split(r"\r\n|\r|\n", text):
        cells += line.split(separator)
    return [cell.lstrip(' "') for cell in cells]


@pytest.mark.parametrize("path", ["/operations/", "/results/"])
def test_hostile_names_split_on_comma_semicolon_or_tab_never_start_a_cell_with_a_formula(staff_user, client, path):
    source = Source.objects.create(publisher="Synthetic wire", url="https://example.org/synthetic/a;=1,-2")
    country = Country.objects.get(iso2="BR")
    for index, name in enumerate([*FORMULA_NAMES, *SPLIT_FORMULA_NAMES]):
        operation = Operation.objects.create(
            name=name, slug=f"synthetic-split-{index}", year=2031, coordinator=name, area=name, is_verified=False
        )
        participation = Participation.objects.create(operation=operation, country=country)
        services.record_figure(
            operation=operation, participation=participation, metric=Metric.ARRESTS, figure=Figure(5), source=source
        )
    client.force_login(staff_user)

    text = content_of(export(client, path)).decode("utf-8-sig")

    rows = read_csv(text.encode())
    synthetic = [row for row in rows if row["operation_slug"].startswith("synthetic-split-")]
    assert len(synthetic) == len(FORMULA_NAMES) + len(SPLIT_FORMULA_NAMES)
    for separator in (",", ";", "\t"):
        starting = [cell for cell in cells_after_splitting(text, separator) if cell.startswith(("=", "+", "-", "@"))]
        assert starting == [], separator
    # Escaped, not dropped: the names read back with their text.
    assert "FXS;'=2+2; Synthetic" in {row["operation"] for row in rows}


def test_operations_export_has_one_row_per_operation_with_iso_dates_and_plain_integers():
    operations = queries.operation_rows(Operation.objects.order_by("name"))
    rows = read_csv(b"".join(exports.stream_csv(exports.OPERATIONS.headers, exports.OPERATIONS.rows(operations))))
    assert [row["operation"] for row in rows] == list(operations.values_list("name", flat=True))
    libertad = next(row for row in rows if row["operation"] == "Operation Libertad")
    database = Operation.objects.get(name="Operation Libertad")
    assert libertad["start_date"] == database.start_date.isoformat()
    assert libertad["victims_rescued"] == str(database.victims_rescued)
    assert libertad["victims_rescued_qualifier"] == database.victims_rescued_qualifier
    source = ReportedFigure.objects.get(
        operation=database, participation=None, metric=Metric.VICTIMS_RESCUED, is_preferred=True
    ).source
    assert libertad["victims_rescued_source_url"] == source.url
    assert {row["verified"] for row in rows} <= {"true", "false"}
    assert any(row["verified"] == "false" for row in rows)  # the unverified press report


def test_a_failure_mid_stream_reaches_the_server_and_is_reported_with_the_rows_sent(unicode_results):
    """The stream is cut (the error propagates to the WSGI server, which drops the connection) rather than ending
    like a complete file; on_finish learns how many rows had been sent."""
    good_rows = list(exports.RESULTS.rows(unicode_results.participations.order_by("pk")))

    def rows_then_database_error():
        yield from good_rows
        raise OperationalError("synthetic: database went away")

    finished = []
    stream = exports.stream_csv(
        exports.RESULTS.headers,
        rows_then_database_error(),
        chunk_size=1,
        on_finish=lambda rows, error: finished.append((rows, error)),
    )
    received = [next(stream) for _ in range(1 + len(good_rows))]
    with pytest.raises(OperationalError):
        next(stream)
    assert len(read_csv(b"".join(received))) == len(good_rows)
    assert finished[0][0] == len(good_rows)
    assert isinstance(finished[0][1], OperationalError)


def test_export_specs_name_value_qualifier_and_source_for_every_metric():
    for spec in exports.SPECS:
        # Totals (the countries table) have no single source; they say how many parts are known and unknown.
        extra = ["known_parts", "unknown_parts"] if spec is exports.COUNTRIES else ["source_url"]
        for metric in METRICS:
            index = spec.headers.index(metric.value)
            expected = [metric.value, f"{metric.value}_qualifier", *(f"{metric.value}_{name}" for name in extra)]
            assert spec.headers[index : index + len(expected)] == expected
        assert len(set(spec.headers)) == len(spec.headers)
        assert all(header.isascii() and header == header.lower() and " " not in header for header in spec.headers)
        assert {"country", "country_iso2"} <= set(spec.headers) or spec is exports.OPERATIONS


@pytest.mark.parametrize("chunk_size", [1, 7, 5000])
def test_results_csv_writer_writes_the_same_bytes_as_csv_writer_on_hostile_text(
    unicode_results, chunk_size, monkeypatch
):
    """The results tables' own writer (operation and country cells rendered once) against csv.writer over the joined
    rows: formula triggers, quotes, commas and line breaks in names and URLs, unknowns, accents, every role."""
    # Several lookup windows, and several lookup queries per window as past SQLite's parameter limit.
    monkeypatch.setattr(exports.specs, "LOOKUP_WINDOW", 3)
    monkeypatch.setattr(exports.specs, "LOOKUP_BATCH", 2)
    urls = ['=HYPERLINK("x")', 'https://example.org/synthetic/a,"b"', "-synthetic", "https://example.org/synthetic/\n"]
    names = [*FORMULA_NAMES, *SPLIT_FORMULA_NAMES, 'Synthetic "quoted", comma', "Synthetic line\nbreak"]
    countries = list(Country.objects.order_by("iso2")[:3])
    for i, name in enumerate(names):
        operation = Operation.objects.create(name=name, slug=f"synthetic-hostile-{i}", year=2031, is_verified=False)
        source, _ = Source.objects.get_or_create(url=urls[i % len(urls)], defaults={"publisher": "Synthetic wire"})
        for k, country in enumerate(countries):
            participation = Participation.objects.create(
                operation=operation, country=country, role=["participant", "command_centre"][(i + k) % 2]
            )
            services.record_figure(
                operation=operation,
                participation=participation,
                metric=METRICS[(i + k) % len(METRICS)],
                figure=Figure(i * 10 + k, list(Qualifier)[(i + k) % len(Qualifier)]),
                source=source,
            )
    queryset = queries.results_for_filtering()

    chunks = list(exports.RESULTS.csv_chunks(queryset, chunk_size=chunk_size))

    reference = "".join(text for text, _ in exports.csv_chunks(exports.RESULTS.rows(queryset), chunk_size=chunk_size))
    assert "".join(text for text, _ in chunks) == reference
    assert sum(rows for _, rows in chunks) == queryset.count() > len(names) * len(countries)
    assert "'=1+1 Synthetic formula operation" in reference and "'=HYPERLINK" in reference
    assert "FXS;'=2+2; Synthetic" in reference


def test_export_query_is_one_query_whatever_the_row_count(unicode_results, django_assert_num_queries):
    with django_assert_num_queries(1):
        rows = list(exports.RESULTS.rows(Participation.objects.all()))
    assert len(rows) == Participation.objects.count()


# --- File names ----------------------------------------------------------------------------------------------------


def test_filename_says_table_filters_and_date():
    assert exports.export_filename("results", [("country", "BR")], "csv", date(2026, 11, 22)) == (
        "results_country-BR_2026-11-22.csv"
    )
    assert exports.export_filename("operations", [], "xlsx", date(2026, 11, 22)) == "operations_2026-11-22.xlsx"


def test_filename_is_sanitized_whatever_the_filter_values():
    name = exports.export_filename(
        "results",
        [("q", 'São Tomé / "evil"\r\n../x'), ("min_victims_rescued", "100"), ("region", "")],
        "csv",
        date(2026, 11, 22),
    )
    assert name == "results_q-Sao-Tome-evil-x_min_victims_rescued-100_2026-11-22.csv"
    long_name = exports.export_filename("results", [("q", "x" * 500)] * 10, "csv", date(2026, 11, 22))
    assert len(long_name) < 200
    assert long_name.endswith("_2026-11-22.csv")


# --- The data dictionary -------------------------------------------------------------------------------------------


def test_data_dictionary_defines_every_column_metric_and_qualifier(analyst_client):
    response = analyst_client.get(reverse("operations:data_dictionary"))
    assert response.status_code == 200
    html = response.content.decode()
    for spec in exports.SPECS:
        assert f'id="dictionary-{spec.name}"' in html
        for header in spec.headers:
            assert f"<code>{header}</code>" in html
    for metric in Metric:
        assert str(exports.METRIC_DEFINITIONS[metric]) in html.replace("&#x27;", "'")
    for qualifier in Qualifier:
        assert f"<code>{qualifier.value}</code>" in html
        assert str(exports.QUALIFIER_DEFINITIONS[qualifier]) in html.replace("&#x27;", "'")
    assert "<caption>" in html and 'scope="col"' in html
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    assert "<script" not in main and "style=" not in main


def test_data_dictionary_needs_a_login(client):
    response = client.get(reverse("operations:data_dictionary"))
    assert response.status_code == 302


# --- XLSX ----------------------------------------------------------------------------------------------------------


def test_xlsx_writer_escapes_formulas_and_keeps_numbers_as_numbers():
    for index, name in enumerate(FORMULA_NAMES):
        synthetic_operation(name, f"synthetic-formula-{index}", arrests=Figure(40 + index))
    operations = queries.operation_rows(
        Operation.objects.filter(slug__startswith="synthetic-formula-").order_by("slug")
    )
    response = exports.xlsx_response(exports.OPERATIONS, operations, "operations.xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == exports.OPERATIONS.headers
    arrests = exports.OPERATIONS.headers.index("arrests")
    # Python's XML parser reads a stored carriage return back as a line feed, lxml (openpyxl uses it when installed)
    # keeps it; the apostrophe in front is what matters.
    assert [row[0].replace("\r", "\n") for row in rows[1:]] == [
        "'" + name.replace("\r", "\n") for name in FORMULA_NAMES
    ]
    assert [row[arrests] for row in rows[1:]] == [40 + index for index in range(len(FORMULA_NAMES))]


def test_xlsx_writer_keeps_each_cell_type_and_markup_and_never_writes_a_formula():
    file = io.BytesIO()
    rows = [
        ["a <b> & c", 12, 2.5, Decimal("7.25"), True, date(2026, 3, 1), datetime(2026, 3, 1, 12, 30), None, "end"],
        ["=1+1", -3, 0, Decimal("0"), False, None, None, "  spaces kept  ", "line\r\nbreak"],
    ]
    count = exports.xlsx.write_xlsx(
        file, "results <&> a title longer than Excel allows", list("ABCDEFGHI"), rows, widths=[30] * 9
    )
    assert count == 2
    workbook = load_workbook(file)
    sheet = workbook.active
    assert sheet.title == "results <&> a title longer than"  # cut at Excel's 31 characters
    first, second = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    assert first == ["a <b> & c", 12, 2.5, 7.25, True, datetime(2026, 3, 1), datetime(2026, 3, 1, 12, 30), None, "end"]
    assert second == ["=1+1", -3, 0, 0, False, None, None, "  spaces kept  ", "line\r\nbreak"]
    assert sheet["A3"].data_type == "s"  # text, not a formula: the writer never writes one
    assert sheet["F2"].number_format == "yyyy-mm-dd" and sheet["G2"].number_format == "yyyy-mm-dd hh:mm:ss"
    assert sheet.column_dimensions["A"].width == 30


def test_xlsx_export_writes_dates_as_dates_and_widens_columns_to_their_headers():
    synthetic_operation("Synthetic dated operation", "synthetic-dated", arrests=Figure(5))
    Operation.objects.filter(slug="synthetic-dated").update(start_date=date(2099, 5, 6))
    operations = queries.operation_rows(Operation.objects.filter(slug="synthetic-dated"))
    response = exports.xlsx_response(exports.OPERATIONS, operations, "operations.xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    headers = [cell.value for cell in sheet[1]]
    start = sheet.cell(row=2, column=headers.index("start_date") + 1)
    assert (start.value.date(), start.number_format) == (date(2099, 5, 6), "yyyy-mm-dd")
    assert sheet.cell(row=2, column=headers.index("arrests") + 1).value == 5
    assert sheet.column_dimensions["A"].width >= len(headers[0]) + 2


def test_xlsx_drops_control_characters_excel_refuses_without_letting_a_formula_through():
    synthetic_operation("\x01=1+1 Synthetic control operation", "synthetic-control", arrests=Figure(3))
    operations = queries.operation_rows(Operation.objects.filter(slug="synthetic-control"))
    response = exports.xlsx_response(exports.OPERATIONS, operations, "operations.xlsx")
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    assert list(sheet.iter_rows(values_only=True))[1][0] == "'=1+1 Synthetic control operation"
    csv_rows = read_csv(b"".join(exports.stream_csv(exports.OPERATIONS.headers, exports.OPERATIONS.rows(operations))))
    assert csv_rows[0]["operation"] == "\x01=1+1 Synthetic control operation"  # CSV keeps the text as recorded


def test_export_log_records_who_what_and_how_many(staff_user):
    log = services.start_export_log(
        user=staff_user, table="results", path="/results/", export_format="csv", query={"country": ["BR"]}
    )
    assert log.status == ExportLog.Status.STARTED
    services.finish_export_log(log, 42)
    log.refresh_from_db()
    assert (log.username, log.table, log.query, log.row_count, log.status) == (
        "staff-user",
        "results",
        {"country": ["BR"]},
        42,
        ExportLog.Status.COMPLETE,
    )
    assert log.finished_at is not None


# --- Export from the table pages ---------------------------------------------------------------------------------

# Every table URL that offers an export: a filter it understands, the file name's start, the first header.
EXPORT_URLS = [
    ("/operations/", {"year_from": "2021"}, "operations_year_from-2021", "operation"),
    ("/results/", {"country": "BR"}, "results_country-BR", "operation"),
    ("/countries/", {"region": "Americas"}, "countries_region-Americas", "country"),
    ("/countries/br/", {}, "country_results_country-BR", "operation"),
]


def export(client, url, export_format="csv", **params):
    return client.get(url, {**params, "_export": export_format})


def content_of(response) -> bytes:
    assert response.streaming
    return b"".join(response.streaming_content)


@pytest.fixture
def paged_operations():
    """30 synthetic operations in 2099, more than one page at 25 a page, with some unknown figures and ties."""
    return synthetic_operations(
        30,
        figures=lambda i: {
            Metric.VICTIMS_RESCUED: Figure(None if i % 7 == 0 else (i * 37) % 11, Qualifier.APPROX),
            Metric.ARRESTS: Figure(i),
        },
    )


@pytest.mark.parametrize("sort", ["-victims_rescued", "victims_rescued", "name", "-countries_reported", None])
def test_operations_export_is_every_filtered_row_in_the_table_order_across_pages(
    staff_user, client, paged_operations, sort
):
    client.force_login(staff_user)
    params = {"year_from": "2099", "per_page": "25", **({"sort": sort} if sort else {})}
    shown = row_keys(client.get("/operations/", params)) + row_keys(client.get("/operations/", {**params, "page": 2}))
    assert len(shown) == 30
    rows = read_csv(content_of(export(client, "/operations/", **params, page="2")))
    assert [row["operation_slug"] for row in rows] == shown


def test_operations_export_parsed_back_equals_the_database(staff_user, client, paged_operations):
    client.force_login(staff_user)
    rows = read_csv(content_of(export(client, "/operations/", year_from="2099", sort="name")))
    for row, operation in zip(rows, Operation.objects.filter(year__gte=2099).order_by("name"), strict=True):
        assert row["operation"] == operation.name
        assert row["year"] == "2099"
        for metric in METRICS:
            value = getattr(operation, metric.value)
            assert row[metric.value] == ("" if value is None else str(value))
            assert row[f"{metric.value}_qualifier"] == getattr(operation, f"{metric.value}_qualifier")
        assert row["victims_rescued_source_url"] == (
            "" if operation.victims_rescued is None else "https://example.org/synthetic"
        )
        assert row["countries_named"] == "0"


@pytest.mark.parametrize(("url", "params", "stem", "first_header"), EXPORT_URLS)
def test_export_is_streamed_as_csv_named_after_table_filters_and_date(
    staff_user, client, url, params, stem, first_header
):
    client.force_login(staff_user)
    response = export(client, url, **params)
    assert response.status_code == 200
    assert response.streaming  # a StreamingHttpResponse, not a file built in memory
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    expected = f"{stem}_{timezone.localdate().isoformat()}.csv"
    assert response["Content-Disposition"] == f'attachment; filename="{expected}"'
    content = content_of(response)
    assert content.startswith(exports.BOM.encode() + first_header.encode() + b",")
    assert len(read_csv(content)) > 0


@pytest.mark.parametrize(("url", "params", "stem", "first_header"), EXPORT_URLS)
@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_only_export_roles_can_export(role_client, url, params, stem, first_header, export_format):
    response = export(role_client, url, export_format, **params)
    expected = {"anonymous": 302, "analyst": 403, "staff": 200, "editor": 200, "admin": 200}[role_client.role]
    assert response.status_code == expected
    if expected == 302:
        assert response.url.startswith("/accounts/login/")
    if expected == 200:
        body = content_of(response) if response.streaming else response.content
        assert body
    assert ExportLog.objects.count() == (1 if expected == 200 else 0)


@pytest.mark.parametrize(("url", "params", "stem", "first_header"), EXPORT_URLS)
def test_export_buttons_show_only_with_the_permission_and_keep_the_filters(
    role_client, url, params, stem, first_header
):
    if role_client.role == "anonymous":
        return
    response = role_client.get(url, {**params, "sort": "victims_rescued", "page": "1"})
    html = response.content.decode()
    if role_client.role == "analyst":
        assert "_export=" not in html
        return
    csv_links = re.findall(r'href="([^"]*_export=csv[^"]*)"', html)
    assert len(csv_links) == 1
    link = html_unescape(csv_links[0])
    assert all(f"{name}={value}" in link for name, value in params.items())
    assert "sort=victims_rescued" in link and "page=" not in link
    assert "_export=xlsx" in html


def result_keys(response):
    return re.findall(r'<tr data-operation="([^"]+)" data-country="([^"]+)"', response.content.decode())


@pytest.mark.parametrize("sort", ["-victims_rescued", "arrests", "year", None])
def test_results_export_is_every_filtered_row_in_the_table_order_across_pages(staff_user, client, sort):
    client.force_login(staff_user)
    params = {"region": "Americas", "per_page": "25", **({"sort": sort} if sort else {})}
    expected = Participation.objects.filter(country__region="Americas").count()
    assert expected > 25
    shown = []
    for page in range(1, -(-expected // 25) + 1):
        shown += result_keys(client.get("/results/", {**params, "page": page}))
    assert len(shown) == expected
    rows = read_csv(content_of(export(client, "/results/", **params)))
    assert [(row["operation_slug"], row["country_iso2"]) for row in rows] == shown


def test_results_export_parsed_back_equals_the_database(staff_user, client, unicode_results):
    client.force_login(staff_user)
    rows = read_csv(content_of(export(client, "/results/", operation=unicode_results.slug, sort="country")))
    # Sorted by country as English sorts names (ICU): Côte d'Ivoire before Curaçao, not in byte order.
    participations = Participation.objects.filter(operation=unicode_results).order_by(name_order("country__iso2", "en"))
    assert rows == [expected_result_row(p) for p in participations]
    assert sorted(row["country"] for row in rows) == sorted(["Curaçao", "Côte d'Ivoire", "Sao Tome and Principe"])


def test_country_page_export_is_that_countrys_rows(staff_user, client):
    client.force_login(staff_user)
    rows = read_csv(content_of(export(client, "/countries/br/")))
    assert {row["country_iso2"] for row in rows} == {"BR"}
    assert sorted(row["operation_slug"] for row in rows) == sorted(
        Participation.objects.filter(country__iso2="BR").values_list("operation__slug", flat=True)
    )


def test_countries_export_totals_read_like_the_page(staff_user, client):
    client.force_login(staff_user)
    rows = read_csv(content_of(export(client, "/countries/", sort="-victims_rescued")))
    assert [row["country_iso2"] for row in rows] == row_keys(
        client.get("/countries/", {"sort": "-victims_rescued", "per_page": 250}), "data-iso2"
    )
    for row in rows[:5]:
        totals = queries.country_totals(Country.objects.get(iso2=row["country_iso2"]))
        for metric in METRICS:
            total = totals[metric.value]
            assert row[metric.value] == ("" if total.value is None else str(total.value))
            assert row[f"{metric.value}_qualifier"] == ("" if total.value is None else total.qualifier)
            assert row[f"{metric.value}_unknown_parts"] == str(total.unknown_parts)


def test_export_is_logged_with_user_table_filters_and_row_count(staff_user, client, paged_operations):
    client.force_login(staff_user)
    rows = read_csv(content_of(export(client, "/operations/", year_from="2099", sort="name")))
    log = ExportLog.objects.get()
    assert (log.user, log.username, log.table, log.format, log.path) == (
        staff_user,
        "staff-user",
        "operations",
        "csv",
        "/operations/",
    )
    assert log.query == {"year_from": ["2099"], "sort": ["name"]}
    assert log.row_count == len(rows) == 30
    assert log.status == ExportLog.Status.COMPLETE and log.finished_at is not None


def test_a_database_failure_after_the_download_started_cuts_the_stream_and_logs_the_export_failed(
    staff_user, client, paged_operations
):
    client.force_login(staff_user)
    response = export(client, "/operations/", year_from="2099")
    assert response.status_code == 200  # the headers are already on their way when the rows are read

    def fail_the_export_query(execute, sql, params, many, context):
        if sql.startswith("SELECT") and "victims_rescued_source_id" in sql:  # the export's row query
            raise OperationalError("synthetic: the database went away")
        return execute(sql, params, many, context)

    stream = iter(response.streaming_content)
    header = next(stream)
    assert header.startswith(exports.BOM.encode() + b"operation,")
    with connection.execute_wrapper(fail_the_export_query), pytest.raises(OperationalError):
        next(stream)
    log = ExportLog.objects.get()
    assert log.status == ExportLog.Status.FAILED and log.row_count == 0


def test_xlsx_export_opens_and_has_the_same_rows_as_the_csv(staff_user, client, paged_operations):
    client.force_login(staff_user)
    params = {"year_from": "2099", "sort": "-victims_rescued"}
    csv_rows = read_csv(content_of(export(client, "/operations/", **params)))
    response = export(client, "/operations/", "xlsx", **params)
    assert response.status_code == 200
    assert response["Content-Type"] == exports.XLSX_CONTENT_TYPE
    assert f"operations_year_from-2099_{timezone.localdate().isoformat()}.xlsx" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).active
    header, *rows = list(sheet.iter_rows(values_only=True))
    assert list(header) == exports.OPERATIONS.headers
    width = len(header)  # a read-only sheet drops empty cells at the end of a row
    as_text = [["" if cell is None else str(cell) for cell in (*row, *[None] * (width - len(row)))] for row in rows]
    assert as_text == [list(row.values()) for row in csv_rows]
    assert ExportLog.objects.filter(format="xlsx", row_count=30, status=ExportLog.Status.COMPLETE).exists()


def test_xlsx_over_the_row_limit_is_refused_with_a_link_to_the_csv(staff_user, client, paged_operations, settings):
    settings.EXPORT_XLSX_MAX_ROWS = 10
    client.force_login(staff_user)
    response = export(client, "/operations/", "xlsx", year_from="2099")
    assert response.status_code == 400
    html = response.content.decode()
    assert "30 rows" in html and "10" in html and "CSV" in html
    assert 'id="export-csv-instead"' in html and "_export=csv" in html and "year_from=2099" in html
    assert not ExportLog.objects.exists()


def test_invalid_filters_or_format_export_nothing(staff_user, client):
    client.force_login(staff_user)
    response = export(client, "/operations/", year_from="abc")
    assert response.status_code == 400
    assert 'id="export-refused"' in response.content.decode()
    assert export(client, "/operations/", "pdf").status_code == 400
    assert not ExportLog.objects.exists()


def test_export_runs_a_fixed_number_of_queries_whatever_the_rows(
    staff_user, client, paged_operations, django_assert_max_num_queries
):
    client.force_login(staff_user)
    with django_assert_max_num_queries(10):  # 8, and the rows' transaction: a savepoint and its release in a test
        content_of(export(client, "/operations/", year_from="2099"))


def test_results_export_queries_grow_by_at_most_three_per_lookup_window(
    staff_user, client, monkeypatch, django_assert_max_num_queries
):
    """The rows come in one query; the operations, countries and sources a window of rows names that are not
    rendered yet come in at most one query each per window (LOOKUP_WINDOW rows, 2,000 in production)."""
    monkeypatch.setattr(exports.specs, "LOOKUP_WINDOW", 40)
    rows = Participation.objects.count()
    windows = -(-rows // 40)
    client.force_login(staff_user)
    with django_assert_max_num_queries(8 + 3 * windows) as captured:
        content = content_of(export(client, "/results/"))
    assert len(read_csv(content)) == rows
    lookups = [query["sql"] for query in captured.captured_queries if "IN (" in query["sql"]]
    assert 0 < len(lookups) <= 3 * windows


def test_export_rows_are_read_inside_one_transaction(staff_user, client):
    """Outside a transaction PostgreSQL's server-side cursor is WITH HOLD and copies every row aside before the
    first one is sent; the export reads its rows inside one."""
    seen = []

    def record(execute, sql, params, many, context):
        if "victims_rescued_source_id" in sql and "operation_sort_date" in sql:  # the results export's row query
            seen.append(len(connection.atomic_blocks))
        return execute(sql, params, many, context)

    client.force_login(staff_user)
    response = export(client, "/results/")
    outside = len(connection.atomic_blocks)  # the test's own transaction
    with connection.execute_wrapper(record):
        rows = read_csv(content_of(response))
    assert seen == [outside + 1] and len(rows) == Participation.objects.count()


def test_a_client_going_away_ends_the_exports_transaction_before_the_log_is_written():
    """on_finish (which completes the export log) must not run inside the rows' transaction: its rollback would take
    the log's update with it."""
    outside = len(connection.atomic_blocks)  # the test's own transaction
    finished = []

    def on_finish(rows, error):
        finished.append((rows, type(error), len(connection.atomic_blocks)))

    queryset = queries.results_for_filtering()
    chunks = exports.in_transaction(exports.RESULTS.csv_chunks(queryset, chunk_size=10), queryset.db)
    stream = exports.stream_csv_chunks(exports.RESULTS.headers, chunks, on_finish=on_finish)
    next(stream), next(stream)  # the header and the first ten rows reach the client
    stream.close()  # the client went away

    assert finished == [(10, GeneratorExit, outside)]


def test_a_qualifier_outside_the_choices_is_written_as_csv_writer_writes_it():
    """The database only requires a known figure to have some qualifier; the results writer writes any."""
    participation = Participation.objects.filter(victims_rescued__isnull=False).first()
    Participation.objects.filter(pk=participation.pk).update(victims_rescued_qualifier="=roughly")
    queryset = queries.results_for_filtering()

    fast = "".join(text for text, _ in exports.RESULTS.csv_chunks(queryset))

    assert fast == "".join(text for text, _ in exports.csv_chunks(exports.RESULTS.rows(queryset)))
    assert ",'=roughly," in fast


# --- Under the production server -----------------------------------------------------------------------------------

FAILING_APP = """
import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trafficking_ops.test_settings")
import django

django.setup()
from operations.exports import RESULTS, stream_csv


def rows():
    for i in range(5000):
        yield ("Synthetic operation", "synthetic", 2099, "Curaçao", "CW", "CUW", "Americas", "participant", i)
    raise RuntimeError("synthetic failure mid-stream")


def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/csv; charset=utf-8")])
    return stream_csv(RESULTS.headers, rows())
"""


@pytest.mark.slow
def test_under_gunicorn_a_failure_mid_stream_cuts_the_chunked_response_so_the_client_sees_it(tmp_path):
    """The stream_csv contract end to end: gunicorn (the production server) drops the connection without the final
    chunk, so an HTTP client raises IncompleteRead instead of receiving a short file that looks complete."""
    (tmp_path / "failing_export_app.py").write_text(FAILING_APP)
    listener = socket.create_server(("127.0.0.1", 0))  # bound here and handed over: no waiting for gunicorn to bind
    port = listener.getsockname()[1]
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "--bind", f"fd://{listener.fileno()}", "--workers", "1", "failing_export_app:app"],
        pass_fds=[listener.fileno()],
        cwd=tmp_path,
        env={"PYTHONPATH": f"{tmp_path}:{Path(__file__).resolve().parents[1]}", "PATH": "/usr/bin:/bin"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        connection_ = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection_.request("GET", "/")
        response = connection_.getresponse()
        assert response.status == 200
        assert response.getheader("Transfer-Encoding") == "chunked"
        with pytest.raises(http.client.IncompleteRead) as cut:
            response.read()
        received = cut.value.partial
        assert received.startswith(exports.BOM.encode() + b"operation,")
        assert received.count(b"\r\n") == 1 + 4000  # the header and two full chunks of 2,000 rows, then nothing
    finally:
        server.terminate()
        server.wait(timeout=30)
        listener.close()


def test_an_export_with_a_nul_byte_in_its_query_is_logged_without_it(client, staff_user):
    """PostgreSQL refuses NUL in text and JSON columns: the log keeps a replacement character instead of a 500."""
    client.force_login(staff_user)
    response = client.get("/countries/br/", {"_export": "csv", "junk\x00key": "va\x00lue"})
    assert response.status_code == 200
    b"".join(response.streaming_content)
    log = ExportLog.objects.latest("pk")
    assert log.query == {"junk\ufffdkey": ["va\ufffdlue"]}
