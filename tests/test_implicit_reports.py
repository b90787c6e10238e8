"""Implicit reports (services.implicit): an unattended import keeps its country rows' figures on the rows alone, and
every page, API response and export shows them as it shows stored reports; a write makes them rows first."""

import importlib
import re
import threading
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from operations import services
from operations.drafting.services import FigureChoice, ReviewedDraft, save_draft
from operations.figures import Figure
from operations.importing import COUNTRY_RESULTS, OPERATIONS
from operations.models import Country, DataVersion, Operation, Participation, ReportedFigure, Source
from tests.helpers.admin_forms import change_url, errors_of, form_data, inline_prefix
from tests.helpers.importing import COUNTRY_ROWS, OPERATION_ROW, csv_bytes, run
from tests.helpers.sync import assert_in_sync

pytestmark = pytest.mark.django_db

SLUG = "synthetic-operation-alpha"


def imported():
    assert run(csv_bytes(OPERATIONS, [OPERATION_ROW]), csv_bytes(COUNTRY_RESULTS, COUNTRY_ROWS)).ok
    return Operation.objects.get(name=OPERATION_ROW["name"])


def stored_country_figures(operation):
    fields = ("participation__country__iso2", "metric", "value", "qualifier", "source__url", "is_preferred", "origin")
    return sorted(operation.reported_figures.filter(participation__isnull=False).values_list(*fields))


# What the imported country rows say (tests/helpers/importing.py COUNTRY_ROWS), as stored reports would.
IMPORTED = [
    ("BR", "victims_rescued", 300, "exact", "https://example.org/synthetic-alpha-br", True, "import"),
    ("CI", "arrests", 12, "exact", "https://example.org/synthetic-alpha-ci", True, "import"),
    ("CI", "victims_rescued", 10000, "exact", "https://example.org/synthetic-alpha-ci", True, "import"),
]


def test_an_unattended_import_stores_no_figure_rows_for_its_country_rows_only_the_operations_own():
    operation = imported()
    assert stored_country_figures(operation) == []
    assert operation.reported_figures.filter(participation__isnull=True).count() == 3
    brasil = operation.participations.get(country__iso2="BR")
    assert brasil.figure("victims_rescued") == Figure(300)


def test_making_them_rows_writes_what_the_import_would_have_written_dated_by_the_import_without_history():
    operation = imported()
    imported_at = dict(operation.participations.values_list("pk", "imported_at"))
    version = DataVersion.objects.get().token
    services.materialize_reports([operation.pk])
    assert stored_country_figures(operation) == IMPORTED
    for figure in operation.reported_figures.filter(participation__isnull=False):
        assert figure.updated_at == imported_at[figure.participation_id]
        assert (figure.quote, figure.stated_as, figure.updated_by) == ("", "", None)
    assert not ReportedFigure.history.filter(operation_id=operation.pk).exists()
    # The country rows are now as any other: their first version recorded, as at a first change, and no imported_at.
    records = Participation.history.filter(operation_id=operation.pk)
    assert dict(records.values_list("id", "history_date")) == imported_at
    assert set(records.values_list("history_type", "history_change_reason")) == {("+", "spreadsheet import")}
    assert not operation.participations.filter(imported_at__isnull=False).exists()
    assert DataVersion.objects.get().token == version  # nothing the pages show changed
    services.materialize_reports([operation.pk])  # a second time writes nothing
    assert len(stored_country_figures(operation)) == 3


def _pages(client):
    """Every page, API response and export that shows reports, as bytes (CSRF tokens and CSP nonces masked)."""
    urls = [
        f"/operations/{SLUG}/",
        "/results/?country=BR",
        "/countries/ci/",
        f"/api/v1/operations/{SLUG}/",
        "/api/v1/results/?country=CI",
        "/results/?country=CI&_export=csv",
        "/operations/?_export=package",
        "/results/?country=BR&_export=package",
    ]
    pages = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        body = re.sub(rb'nonce="[^"]+"', b'nonce="N"', body)
        pages[url] = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"csrf", body)
    return pages


def test_every_page_api_response_and_export_is_the_same_whether_the_reports_are_implicit_or_rows(
    client, staff_user, settings
):
    settings.TRACKER_CACHE_SECONDS = 0
    client.force_login(staff_user)
    operation = imported()
    implicit = _pages(client)
    assert b"10 000" in implicit[f"/operations/{SLUG}/"] or b"10,000" in implicit[f"/operations/{SLUG}/"]
    assert b"synthetic-alpha-ci" in implicit[f"/api/v1/operations/{SLUG}/"]
    services.materialize_reports([operation.pk])
    assert _pages(client) == implicit


def test_a_second_source_for_one_country_keeps_every_other_country_rows_imported_figures():
    operation = imported()
    brasil = operation.participations.get(country__iso2="BR")
    other = Source.objects.create(key="other-2024", publisher="Other outlet", url="https://example.org/other")
    services.record_figure(
        operation=operation, participation=brasil, metric="victims_rescued", figure=Figure(320), source=other
    )
    stored = stored_country_figures(operation)
    assert [row for row in stored if row[4] != "https://example.org/other"] == IMPORTED
    assert ("BR", "victims_rescued", 320, "exact", "https://example.org/other", False, "manual") in stored
    ivory = Participation.objects.get(operation=operation, country__iso2="CI")
    assert (ivory.figure("victims_rescued"), ivory.figure("arrests")) == (Figure(10000), Figure(12))
    assert Participation.objects.get(pk=brasil.pk).figure("victims_rescued") == Figure(300)


def test_a_country_rows_own_save_and_a_refresh_keep_its_figures_implicit():
    operation = imported()
    ivory = operation.participations.get(country__iso2="CI")
    ivory.notes = "Checked."
    ivory.save()
    services.figures_changed(operation)
    ivory.refresh_from_db()
    assert ivory.imported_at is not None and stored_country_figures(operation) == []
    assert (ivory.figure("victims_rescued"), ivory.figure("arrests")) == (Figure(10000), Figure(12))
    assert [record.history_type for record in ivory.history.order_by("history_date")] == ["+", "~"]


def test_a_country_rows_only_figure_deleted_stays_unknown():
    operation = imported()
    services.materialize_reports([operation.pk])
    services.delete_figure(operation.reported_figures.get(participation__country__iso2="BR"))
    services.materialize_reports([operation.pk])  # a later write brings nothing back
    brasil = operation.participations.get(country__iso2="BR")
    assert brasil.figure("victims_rescued").value is None
    assert not brasil.reported_figures.exists()


def test_a_deleted_operation_comes_back_with_its_imported_figures(editor):
    operation = imported()
    pk = operation.pk
    services.delete_operation(operation)  # deleting an operation sets its pk to None
    assert not ReportedFigure.objects.filter(operation_id=pk).exists()
    restored = services.restore_deleted_operation(pk, user=editor)
    assert stored_country_figures(restored) == IMPORTED
    ivory = restored.participations.get(country__iso2="CI")
    assert ivory.figure("victims_rescued") == Figure(10000)
    records = ReportedFigure.history.filter(operation_id=pk, participation__isnull=False, history_type="+")
    assert {(record.history_user, record.history_change_reason) for record in records} == {
        (editor, "restored after deletion")
    }


def test_the_operations_admin_page_lists_the_imported_figures_in_its_figure_rows(client, admin_user):
    operation = imported()
    client.force_login(admin_user)
    version = DataVersion.objects.get().token
    page = client.get(reverse("admin:operations_operation_change", args=[operation.pk]))
    assert page.status_code == 200
    assert stored_country_figures(operation) == IMPORTED
    formset = next(f for f in page.context["inline_admin_formsets"] if f.formset.model is ReportedFigure)
    assert len(formset.formset.initial_forms) == 6  # the operation's three and the country rows' three
    assert DataVersion.objects.get().token == version


def test_a_later_import_into_the_same_operation_keeps_the_earlier_rows_figures():
    operation = imported()
    later = [
        {**COUNTRY_ROWS[1], "arrests": "15", "source_url": "https://example.org/synthetic-alpha-ci-2"},
    ]
    assert run(None, csv_bytes(COUNTRY_RESULTS, later)).ok
    stored = stored_country_figures(operation)
    assert ("BR", "victims_rescued", 300, "exact", "https://example.org/synthetic-alpha-br", True, "import") in stored
    assert ("CI", "arrests", 12, "exact", "https://example.org/synthetic-alpha-ci", False, "import") in stored
    assert ("CI", "arrests", 15, "exact", "https://example.org/synthetic-alpha-ci-2", True, "import") in stored
    assert Participation.objects.get(operation=operation, country__iso2="BR").figure("victims_rescued") == Figure(300)


def test_the_figure_form_names_an_imported_preferred_value_of_a_country_row(client, editor):
    operation = imported()
    brasil = operation.participations.get(country__iso2="BR")
    client.force_login(editor)
    response = client.post(
        reverse("admin:operations_reportedfigure_add"),
        {
            "operation": operation.pk,
            "participation": brasil.pk,
            "metric": "victims_rescued",
            "value": "301",
            "qualifier": "exact",
            "source": brasil.victims_rescued_source_id,
            "is_preferred": "on",
        },
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["is_preferred"]
    assert "already has a preferred value (300 from" in errors[0]


def test_a_refresh_leaves_a_country_rows_implicit_figures_as_they_are():
    operation = imported()
    services.refresh_preferred_figures(operation)
    services.refresh_preferred_figures_bulk([operation.pk])
    ivory = operation.participations.get(country__iso2="CI")
    assert (ivory.figure("victims_rescued"), ivory.figure("arrests")) == (Figure(10000), Figure(12))


def test_the_figure_list_says_where_the_imported_country_figures_are(client, editor):
    client.force_login(editor)
    changelist = reverse("admin:operations_reportedfigure_changelist")
    assert "kept on those rows" not in client.get(changelist).content.decode()
    imported()
    assert "kept on those rows" in client.get(changelist).content.decode()


def test_pages_read_implicit_reports_in_a_constant_number_of_queries(client, staff_user, settings):
    settings.TRACKER_CACHE_SECONDS = 0
    client.force_login(staff_user)
    urls = [
        f"/operations/{SLUG}/",
        f"/api/v1/operations/{SLUG}/",
        "/api/v1/results/?operation=Synthetic+Operation+Alpha",
    ]

    def queries():
        counts = []
        for url in urls:
            with CaptureQueriesContext(connection) as captured:
                assert client.get(url).status_code == 200, url
            counts.append(len(captured))
        return counts

    imported()
    before = queries()
    more = [
        {**COUNTRY_ROWS[1], "country": code, "arrests": str(n), "source_url": f"https://example.org/more-{code}"}
        for n, code in enumerate(["FR", "KE", "PE", "TH"], start=3)
    ]
    assert run(None, csv_bytes(COUNTRY_RESULTS, more)).ok
    assert Participation.objects.filter(operation__slug=SLUG, imported_at__isnull=False).count() == 6
    assert queries() == before
    assert b"example.org/more-TH" in client.get(urls[2]).content  # the results' implicit reports, with their source
    assert b"example.org/more-TH" in client.get(urls[1]).content


def test_a_country_row_moved_to_another_operation_takes_its_imported_figure_along():
    operation = imported()
    brasil = operation.participations.get(country__iso2="BR")
    other = Operation.objects.exclude(pk=operation.pk).exclude(participations__country__iso2="BR").first()
    brasil.operation = other
    brasil.save()
    records = brasil.history.order_by("history_date", "history_id")
    assert [(record.history_type, record.victims_rescued) for record in records] == [("+", 300), ("~", 300)]
    (report,) = services.implicit_reports(Participation.objects.filter(pk=brasil.pk))
    assert (report.operation_id, report.metric, report.value) == (other.pk, "victims_rescued", 300)


def test_databases_written_before_implicit_reports_show_each_imported_report_once(client, staff_user, settings):
    """Before migration 0018, an unattended import wrote figure rows and left imported_at set."""
    settings.TRACKER_CACHE_SECONDS = 0
    operation = imported()
    services.implicit._insert_from_rows(*services.implicit._in("operation_id", [operation.pk]))  # the old rows
    imported_at = dict(operation.participations.values_list("pk", "imported_at"))
    migration = importlib.import_module("operations.migrations.0018_imported_rows_with_figure_rows")
    migration.settle_imported_rows(django_apps, SimpleNamespace(connection=connection))
    assert stored_country_figures(operation) == IMPORTED
    assert not operation.participations.filter(imported_at__isnull=False).exists()
    records = Participation.history.filter(operation_id=operation.pk)
    assert dict(records.values_list("id", "history_date")) == imported_at
    client.force_login(staff_user)
    detail = client.get(f"/api/v1/operations/{SLUG}/").json()
    assert all(not figure["conflicting"] for country in detail["countries"] for figure in country["figures"].values())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite lets one writer at a time: no race to pin")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("deleted", ["a figure", "a country row"])
def test_a_writer_waiting_on_another_does_not_bring_back_what_the_other_deleted(deleted):
    """Writer A makes the operation's reports rows and deletes one; writer B, starting meanwhile, waits for A's commit
    and then finds nothing left to make (PostgreSQL re-reads the locked rows' imported_at)."""
    # Written as an unattended import leaves them, without the importer: a transactional test before this one may
    # have emptied the database of the countries and forms of exploitation an import reads.
    source = Source.objects.create(key="race-2024", publisher="Race agency", url="https://example.org/race")
    operation = Operation.objects.create(name="Race operation", slug="race-operation")
    countries = {
        iso2: Country.objects.get_or_create(iso2=iso2, defaults={"iso3": iso3, "name": name})[0]
        for iso2, iso3, name in [("BR", "BRA", "Brazil"), ("CI", "CIV", "Côte d'Ivoire")]
    }
    Participation.objects.bulk_create(
        Participation(
            operation=operation,
            country=countries[iso2],
            imported_at=timezone.now(),
            victims_rescued=victims,
            victims_rescued_qualifier="exact",
            victims_rescued_source=source,
            arrests=arrests,
            arrests_qualifier="exact" if arrests else "",
            arrests_source=source if arrests else None,
        )
        for iso2, victims, arrests in [("BR", 300, None), ("CI", 10000, 12)]
    )
    a_deleted, b_waits, errors, pids = threading.Event(), threading.Event(), {}, {}

    def writer_a():
        try:
            with transaction.atomic():
                services.materialize_reports([operation.pk])
                if deleted == "a figure":
                    services.delete_figure(
                        ReportedFigure.objects.get(
                            operation=operation, participation__country__iso2="CI", metric="arrests"
                        )
                    )
                else:
                    services.delete_participation(operation.participations.get(country__iso2="CI"))
                a_deleted.set()
                assert b_waits.wait(60), "writer B never waited for writer A"
        except Exception as error:  # noqa: BLE001 - reported below
            errors["a"] = repr(error)
        finally:
            connections.close_all()

    def writer_b():
        try:
            connection.ensure_connection()
            pids["b"] = connection.connection.get_backend_pid()
            assert a_deleted.wait(60)
            with transaction.atomic():
                services.materialize_reports([operation.pk])
                services.figures_changed(operation)
        except Exception as error:  # noqa: BLE001
            errors["b"] = repr(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer_a), threading.Thread(target=writer_b)]
    for thread in threads:
        thread.start()
    assert a_deleted.wait(60)
    waiting = False
    with connection.cursor() as cursor:  # until B waits for a lock A holds (polled, not timed)
        for _ in range(600):
            cursor.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pids.get("b", -1)])
            row = cursor.fetchone()
            if row and row[0] == "Lock":
                waiting = True
                break
            cursor.execute("SELECT pg_sleep(0.05)")
    b_waits.set()
    for thread in threads:
        thread.join()
    assert waiting and errors == {}
    ivory = operation.participations.filter(country__iso2="CI").first()
    arrests = ReportedFigure.objects.filter(operation=operation, participation__country__iso2="CI", metric="arrests")
    assert not arrests.exists()
    assert ivory is None or ivory.figure("arrests").value is None


def test_an_editor_corrects_one_country_figure_of_an_imported_operation_in_its_admin_form(client, editor):
    operation = imported()
    client.force_login(editor)
    response = client.get(change_url(operation))
    data = form_data(response)
    countries = inline_prefix(response, Participation)
    ivory = operation.participations.get(country__iso2="CI")
    (row,) = [
        i for i in range(int(data[f"{countries}-TOTAL_FORMS"])) if data.get(f"{countries}-{i}-id") == str(ivory.pk)
    ]
    data[f"{countries}-{row}-figure_arrests"] = "14"
    data["figures_source"] = str(ivory.arrests_source_id)
    response = client.post(change_url(operation), data)
    assert response.status_code == 302, errors_of(response)
    assert_in_sync(operation)
    stored = stored_country_figures(operation)
    assert ("CI", "arrests", 14, "exact", "https://example.org/synthetic-alpha-ci", True, "manual") in stored
    assert ("CI", "arrests", 12, "exact", "https://example.org/synthetic-alpha-ci", False, "import") in stored
    assert ("BR", "victims_rescued", 300, "exact", "https://example.org/synthetic-alpha-br", True, "import") in stored


def test_a_drafted_press_release_adds_its_figure_beside_the_imported_ones(editor):
    operation = imported()
    draft = ReviewedDraft(
        source_url="https://example.org/drafted-release",
        source_title="A later release",
        source_publisher="Later agency",
        source_published=None,
        source_language="en",
        operation=operation,
        name=operation.name,
        start_date=None,
        end_date=None,
        date_precision="day",
        countries_reported=None,
        countries=[("CI", "participant")],
        figures=[FigureChoice("arrests", 15, "exact", "CI", stated_as="15", quote="15 people were arrested.")],
    )
    save_draft(draft, user=editor)
    stored = stored_country_figures(operation)
    assert ("CI", "arrests", 12, "exact", "https://example.org/synthetic-alpha-ci", True, "import") in stored
    assert ("CI", "arrests", 15, "exact", "https://example.org/drafted-release", False, "manual") in stored
    assert ("BR", "victims_rescued", 300, "exact", "https://example.org/synthetic-alpha-br", True, "import") in stored
    assert_in_sync(operation)
