"""Every write path refreshes the kept totals and the data version once, before its transaction commits
(services.changes()): afterwards the totals equal a fresh GROUP BY and the version was written exactly once."""

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from operations import services
from operations.figures import Figure, Qualifier
from operations.models import Country, DataVersion, Operation, Participation, ReportedFigure, Source
from tests.helpers.admin_forms import change_url, errors_of, form_data
from tests.helpers.sync import assert_totals_exact

pytestmark = pytest.mark.django_db

VERSION_WRITE = f'UPDATE "{DataVersion._meta.db_table}"'


def version_writes(queries):
    return sum(VERSION_WRITE in query["sql"] for query in queries)


@pytest.fixture
def written():
    """An operation in Brazil and Argentina with a figure for each country and a second value for Brazil's."""
    operation = Operation.objects.create(name="Synthetic refresh test", slug="synthetic-refresh-test")
    source = Source.objects.create(publisher="Synthetic source", url="https://example.org/synthetic-refresh")
    other = Source.objects.create(publisher="Synthetic other", url="https://example.org/synthetic-refresh-other")
    brazil = Participation.objects.create(operation=operation, country=Country.objects.get(iso2="BR"))
    argentina = Participation.objects.create(operation=operation, country=Country.objects.get(iso2="AR"))
    services.record_figure(
        operation=operation, participation=brazil, metric="arrests", figure=Figure(10), source=source
    )
    second = services.record_figure(
        operation=operation, participation=brazil, metric="arrests", figure=Figure(25, Qualifier.AT_LEAST), source=other
    )
    services.record_figure(
        operation=operation, participation=argentina, metric="arrests", figure=Figure(40), source=source
    )
    return operation, source, brazil, argentina, second


def record(operation, source, brazil, argentina, second):
    services.record_figure(
        operation=operation, participation=argentina, metric="victims_rescued", figure=Figure(7), source=source
    )


def enter(operation, source, brazil, argentina, second):
    services.enter_figures(
        operation,
        [(brazil, "victims_rescued", Figure(700, Qualifier.APPROX)), (argentina, "victims_rescued", Figure(30))],
        source=source,
    )


def choose(operation, source, brazil, argentina, second):
    services.set_preferred(second)


def choose_many(operation, source, brazil, argentina, second):
    services.make_preferred(ReportedFigure.objects.filter(pk=second.pk))


def delete_one_figure(operation, source, brazil, argentina, second):
    services.delete_figure(second)


def delete_figures(operation, source, brazil, argentina, second):
    services.delete_reported_figures(ReportedFigure.objects.filter(operation=operation))


def delete_country(operation, source, brazil, argentina, second):
    services.delete_participation(argentina)


def delete_operation(operation, source, brazil, argentina, second):
    services.delete_operation(operation)


def rebuild(operation, source, brazil, argentina, second):
    services.refresh_country_totals()


def several_services_in_one_block(operation, source, brazil, argentina, second):
    with services.changes():
        record(operation, source, brazil, argentina, second)
        services.delete_participation(argentina)
        Participation.objects.create(operation=operation, country=Country.objects.get(iso2="CL"))


WRITES = [
    record,
    enter,
    choose,
    choose_many,
    delete_one_figure,
    delete_figures,
    delete_country,
    delete_operation,
    rebuild,
    several_services_in_one_block,
]


@pytest.mark.parametrize("write", WRITES, ids=[write.__name__ for write in WRITES])
def test_a_service_write_refreshes_totals_and_version_once(written, write):
    with CaptureQueriesContext(connection) as queries:
        write(*written)
    assert version_writes(queries) == 1
    assert_totals_exact()


def test_restoring_a_deleted_operation_refreshes_once(written):
    operation_id = written[0].pk
    services.delete_operation(written[0])
    with CaptureQueriesContext(connection) as queries:
        assert services.restore_deleted_operation(operation_id) is not None
    assert version_writes(queries) == 1
    assert_totals_exact()


def test_a_spreadsheet_import_refreshes_once():
    from operations.importing import UploadedTable, import_files

    operations = (
        "name,coordinator,region,start_date,end_date,countries_count,victims_rescued,arrests,investigations_opened,"
        "migrants_identified,exploitation_types,summary,source_url,source_title,source_published\n"
        "Synthetic import refresh,INTERPOL,synthetic,2020-01-01,2020-01-05,2,,,,,forced labour,Synthetic.,"
        "https://example.org/synthetic-import-refresh,Synthetic release,2020-02-01\n"
    )
    results = (
        "operation,country,role,victims_rescued,arrests,investigations_opened,migrants_identified,source_url\n"
        "Synthetic import refresh,Brazil,participant,10,3,,,https://example.org/synthetic-import-refresh\n"
        "Synthetic import refresh,Chile,participant,,250+,,,https://example.org/synthetic-import-refresh\n"
    )
    with CaptureQueriesContext(connection) as queries:
        report = import_files(
            UploadedTable("operations.csv", operations.encode()),
            UploadedTable("country_results.csv", results.encode()),
            commit=True,
        )
    assert report.ok, report.summary()
    assert version_writes(queries) == 1
    assert_totals_exact()


def test_an_admin_save_of_an_operation_with_its_countries_refreshes_once(client, written):
    operation, source = written[0], written[1]
    client.force_login(User.objects.create_superuser("refresh-admin", password="pw-refresh-123"))
    data = form_data(client.get(change_url(operation)))
    data["figure_arrests"] = "about 90"
    data["figures_source"] = str(source.pk)
    data["name"] = "Synthetic refresh test, renamed"
    with CaptureQueriesContext(connection) as queries:
        response = client.post(change_url(operation), data)
    assert response.status_code == 302, errors_of(response)
    assert version_writes(queries) == 1
    assert_totals_exact()


def test_an_admin_deletion_of_selected_operations_refreshes_once(client, written):
    client.force_login(User.objects.create_superuser("refresh-admin", password="pw-refresh-123"))
    selected = [str(written[0].pk), str(Operation.objects.exclude(pk=written[0].pk).first().pk)]
    url = reverse("admin:operations_operation_changelist")
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url, {"action": "delete_selected", "_selected_action": selected, "post": "yes"})
    assert response.status_code == 302
    assert not Operation.objects.filter(pk__in=selected).exists()
    assert version_writes(queries) == 1
    assert_totals_exact()


def test_a_write_that_fails_refreshes_nothing_and_keeps_nothing(written):
    argentina = written[3]
    argentina_id, token = argentina.pk, DataVersion.objects.get().token
    with pytest.raises(RuntimeError), services.changes():
        services.delete_participation(argentina)
        raise RuntimeError("rolled back")
    assert DataVersion.objects.get().token == token
    assert Participation.objects.filter(pk=argentina_id).exists()
    assert_totals_exact()


def test_a_plain_save_outside_the_services_still_refreshes(written):
    """The receivers are the safety net: a shell's save() refreshes the country's totals and the version at once."""
    _, _, brazil, _, _ = written
    token = DataVersion.objects.get().token
    elsewhere = Operation.objects.exclude(participations__country=brazil.country).first()
    Participation.objects.create(operation=elsewhere, country=brazil.country)
    assert DataVersion.objects.get().token != token
    assert_totals_exact()
