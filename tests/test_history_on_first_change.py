"""History written on first change (services.COPY_ON_WRITE): the figures an unattended import writes get no history
record until they are first changed or deleted; then their first version is the row as imported, so the admin's
history, restoring a deleted operation and the API's `updated_since` see what they saw with a record per insert."""

import pytest
from django.urls import reverse
from django.utils import timezone

from operations import queries, services
from operations.figures import Figure
from operations.importing import COUNTRY_RESULTS, OPERATIONS, UploadedTable, import_files
from operations.models import Operation, Participation, ReportedFigure, Source
from tests.helpers.api import walk
from tests.helpers.importing import COUNTRY_ROWS, OPERATION_ROW, csv_bytes, run

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def imported():
    assert run(csv_bytes(OPERATIONS, [OPERATION_ROW]), csv_bytes(COUNTRY_RESULTS, COUNTRY_ROWS)).ok
    return Operation.objects.get(name=OPERATION_ROW["name"])


def country_figure(operation):
    # An unattended import keeps its country rows' figures on the rows (services.implicit); the operation's admin page,
    # where an editor finds them, makes them rows.
    services.materialize_reports([operation.pk])
    return operation.reported_figures.filter(participation__isnull=False).order_by("pk").first()


def test_an_unattended_import_writes_its_country_rows_and_figures_without_history_records():
    operation = imported()
    assert operation.reported_figures.count() > 0 and operation.participations.count() > 0
    assert not ReportedFigure.history.filter(operation_id=operation.pk).exists()
    assert not Participation.history.filter(operation_id=operation.pk).exists()
    assert operation.history.filter(history_type="+").count() == 1  # the operation keeps its record


def test_an_import_by_a_person_records_each_new_figure_and_country_row_at_once_with_their_name(editor):
    report = import_files(
        UploadedTable("operations.csv", csv_bytes(OPERATIONS, [OPERATION_ROW])),
        UploadedTable("country_results.csv", csv_bytes(COUNTRY_RESULTS, COUNTRY_ROWS)),
        commit=True,
        user=editor,
    )
    assert report.committed, report.errors
    operation = Operation.objects.get(name=OPERATION_ROW["name"])
    fields = ("id", "participation_id", "metric", "value", "qualifier", "source_id", "is_preferred", "origin")
    figures = sorted(operation.reported_figures.values_list(*fields))
    records = ReportedFigure.history.filter(operation_id=operation.pk)
    assert len(figures) == 3 + 3  # the operation's three, Brasil's one and Côte d'Ivoire's two
    assert sorted(records.values_list(*fields)) == figures
    assert set(records.values_list("history_type", "history_user", "history_change_reason")) == {
        ("+", editor.pk, "spreadsheet import")
    }
    rows = Participation.history.filter(operation_id=operation.pk)
    assert rows.count() == 2 and {record.history_user for record in rows} == {editor}


def test_the_first_edit_of_an_imported_figure_records_the_imported_version_first(editor_client, editor):
    operation = imported()
    figure = country_figure(operation)
    imported_value, written_at = figure.value, figure.updated_at
    figure.value = imported_value + 1
    figure._history_user, figure._change_reason = editor, "agency's second release"
    figure.save()
    first, edit = figure.history.order_by("history_date", "history_id")
    assert (first.history_type, first.value, first.history_date) == ("+", imported_value, written_at)
    assert first.history_change_reason == "spreadsheet import" and first.history_user is None
    assert (edit.history_type, edit.value, edit.history_user) == ("~", imported_value + 1, editor)
    page = editor_client.get(reverse("admin:operations_reportedfigure_history", args=[figure.pk])).content.decode()
    assert "spreadsheet import" in page and "agency&#x27;s second release" in page
    figure.save()
    assert figure.history.count() == 3  # the first version is written once


def test_the_history_page_of_an_unchanged_imported_figure_shows_it_as_its_first_version(editor_client):
    figure = country_figure(imported())
    response = editor_client.get(reverse("admin:operations_reportedfigure_history", args=[figure.pk]))
    assert response.status_code == 200 and "spreadsheet import" in response.content.decode()
    (first,) = figure.history.all()
    assert (first.history_type, first.value, first.history_date) == ("+", figure.value, figure.updated_at)
    url = reverse("admin:operations_reportedfigure_simple_history", args=[figure.pk, first.history_id])
    assert editor_client.get(url).status_code == 200


def test_deleting_an_imported_figure_records_its_imported_version_then_its_deletion():
    figure = country_figure(imported())
    pk = figure.pk
    services.delete_figure(figure)
    assert list(ReportedFigure.history.filter(id=pk).order_by("history_date").values_list("history_type")) == [
        ("+",),
        ("-",),
    ]


def test_a_deleted_operation_with_imported_figures_is_restored_with_them():
    operation = imported()
    services.materialize_reports([operation.pk])
    figures = dict(operation.reported_figures.values_list("pk", "value"))
    pk = operation.pk
    services.delete_operation(operation)
    # One first version and one deletion per figure (the first versions in one query, not one per figure).
    assert ReportedFigure.history.filter(operation_id=pk, history_type="+").count() == len(figures)
    assert ReportedFigure.history.filter(operation_id=pk, history_type="-").count() == len(figures)
    restored = services.restore_deleted_operation(pk)
    assert dict(restored.reported_figures.values_list("pk", "value")) == figures


def test_replacing_an_imported_preferred_value_keeps_it_preferred_in_its_first_version():
    operation = imported()
    figure = country_figure(operation)
    source = Source.objects.create(key="later-2025", url="https://example.org/later", publisher="Later")
    services.record_figure(
        operation=operation,
        participation=figure.participation,
        metric=figure.metric,
        figure=Figure(figure.value + 5),
        source=source,
        preferred=True,
    )
    figure.refresh_from_db()
    assert not figure.is_preferred
    assert figure.history.get().is_preferred  # written before the bulk UPDATE un-preferred it


def test_figures_an_import_adds_are_listed_in_the_changes_since_a_form_was_opened():
    assert run(csv_bytes(OPERATIONS, [OPERATION_ROW]), None).ok
    operation = Operation.objects.get(name=OPERATION_ROW["name"])
    opened = timezone.now()
    assert run(None, csv_bytes(COUNTRY_RESULTS, COUNTRY_ROWS)).ok
    lines = [text for _field, text in queries.changes_since(operation, opened)]
    assert any("300" in line and "added" in line for line in lines), lines


def changed(client, url, moment, key):
    return {row[key] for row in walk(client, url, {"updated_since": moment.isoformat()})[0]}


def test_an_unattended_import_is_in_every_list_since_a_moment_before_it(analyst_client):
    before = timezone.now()
    operation = imported()
    after = timezone.now()
    results = set(operation.participations.values_list("pk", flat=True))
    countries = set(operation.participations.values_list("country__iso2", flat=True))
    assert operation.slug in changed(analyst_client, "/api/v1/operations/", before, "slug")
    assert results <= changed(analyst_client, "/api/v1/results/", before, "id")
    assert countries <= changed(analyst_client, "/api/v1/countries/", before, "iso2")
    assert not changed(analyst_client, "/api/v1/results/", after, "id")
    assert not changed(analyst_client, "/api/v1/countries/", after, "iso2")


def test_the_first_edit_of_an_imported_country_row_records_the_imported_version_first(editor_client, editor):
    operation = imported()
    result = operation.participations.order_by("pk").first()
    imported_role, written_at = result.role, result.imported_at
    result.notes = "Corrected in the admin."
    result._history_user = editor
    result.save()
    first, edit = result.history.order_by("history_date", "history_id")
    assert (first.history_type, first.role, first.notes, first.history_date) == ("+", imported_role, "", written_at)
    assert first.history_change_reason == "spreadsheet import"
    assert (edit.history_type, edit.notes, edit.history_user) == ("~", "Corrected in the admin.", editor)
    page = editor_client.get(reverse("admin:operations_participation_history", args=[result.pk]))
    assert page.status_code == 200 and "spreadsheet import" in page.content.decode()


def test_deleting_an_imported_country_row_records_it_and_its_figures_first():
    operation = imported()
    result = country_figure(operation).participation
    pk, figures = result.pk, list(result.reported_figures.values_list("pk", flat=True))
    services.delete_participation(result)
    assert list(Participation.history.filter(id=pk).order_by("history_date").values_list("history_type")) == [
        ("+",),
        ("-",),
    ]
    assert ReportedFigure.history.filter(id__in=figures, history_type="+").count() == len(figures)


def test_an_imported_country_rows_first_version_keeps_the_imported_figure_when_a_new_one_is_preferred():
    operation = imported()
    figure = country_figure(operation)
    result = figure.participation
    imported_value = getattr(result, figure.metric)
    source = Source.objects.create(key="later-2025", url="https://example.org/later", publisher="Later")
    services.record_figure(
        operation=operation,
        participation=result,
        metric=figure.metric,
        figure=Figure(imported_value + 5),
        source=source,
        preferred=True,
    )
    result.refresh_from_db()
    assert getattr(result, figure.metric) == imported_value + 5
    assert getattr(result.history.get(), figure.metric) == imported_value  # written before the refresh's UPDATE
