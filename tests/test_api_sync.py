"""Every write path is visible to the API's `?updated_since=`: an admin edit, the importer re-preferring a figure it
had before (a bulk UPDATE), and the benchmark loader's multi-row INSERTs."""

import os

import pytest
from django.test import Client
from django.utils import timezone

from operations.importing import COUNTRY_RESULTS, OPERATIONS
from operations.models import Country, Operation, Participation, ReportedFigure
from tests.helpers.admin_forms import change_url, errors_of, form_data, inline_prefix
from tests.helpers.api import walk
from tests.helpers.importing import COUNTRY_ROWS, OPERATION_ROW, csv_bytes, run

pytestmark = pytest.mark.django_db


def changed(client, url, moment, key):
    return {row[key] for row in walk(client, url, {"updated_since": moment.isoformat()})[0]}


def test_an_admin_edit_of_a_country_figure_is_in_every_list_since(analyst_client, editor):
    participation = Participation.objects.filter(reported_figures__isnull=False).order_by("pk").first()
    operation = participation.operation
    moment = timezone.now()
    client = Client()
    client.force_login(editor)
    response = client.get(change_url(operation))
    data = form_data(response)
    figures = inline_prefix(response, ReportedFigure)
    edited = None
    for index in range(int(data[f"{figures}-TOTAL_FORMS"])):
        if data.get(f"{figures}-{index}-participation") == str(participation.pk) and edited is None:
            edited = data[f"{figures}-{index}-id"]
            data[f"{figures}-{index}-quote"] = "Corrected in the admin."
    assert edited is not None
    response = client.post(change_url(operation), data)
    assert response.status_code == 302, errors_of(response)
    assert ReportedFigure.objects.get(pk=edited).quote == "Corrected in the admin."
    assert operation.slug in changed(analyst_client, "/api/v1/operations/", moment, "slug")
    assert participation.pk in changed(analyst_client, "/api/v1/results/", moment, "id")
    assert participation.country.iso2 in changed(analyst_client, "/api/v1/countries/", moment, "iso2")


def test_the_importer_re_preferring_a_figure_it_had_is_in_every_list_since(analyst_client):
    brazil_row = {**COUNTRY_ROWS[0], "victims_rescued": "300"}
    assert run(csv_bytes(OPERATIONS, [OPERATION_ROW]), csv_bytes(COUNTRY_RESULTS, [brazil_row])).ok
    corrected = {**brazil_row, "victims_rescued": "310"}
    assert run(None, csv_bytes(COUNTRY_RESULTS, [corrected])).ok
    result = Participation.objects.get(operation__name=OPERATION_ROW["name"], country__iso2="BR")
    assert result.victims_rescued == 310
    figures_before = ReportedFigure.objects.count()
    moment = timezone.now()
    assert run(None, csv_bytes(COUNTRY_RESULTS, [brazil_row])).ok  # back to 300: a report it already has
    result.refresh_from_db()
    assert result.victims_rescued == 300 and ReportedFigure.objects.count() == figures_before
    assert result.operation.slug in changed(analyst_client, "/api/v1/operations/", moment, "slug")
    assert changed(analyst_client, "/api/v1/results/", moment, "id") == {result.pk}
    assert changed(analyst_client, "/api/v1/countries/", moment, "iso2") == {"BR"}


@pytest.fixture
def loader():
    """benchmarks/load.py's load(); importing it sets the process's DJANGO_SETTINGS_MODULE, put back after."""
    environment = dict(os.environ)
    from benchmarks.load import load

    yield load
    os.environ.clear()
    os.environ.update(environment)


def test_rows_the_benchmark_loader_inserts_are_in_every_list_since(analyst_client, loader, tmp_path):
    from benchmarks.generate import generate

    generate("small", tmp_path)
    moment = timezone.now()
    loader(tmp_path, log=lambda line: None)
    synthetic = Operation.objects.filter(name__startswith="Synthetic operation")
    assert set(changed(analyst_client, "/api/v1/operations/", moment, "slug")) == set(
        synthetic.values_list("slug", flat=True)
    )
    results = Participation.objects.filter(operation__in=synthetic)
    assert changed(analyst_client, "/api/v1/results/", moment, "id") == set(results.values_list("pk", flat=True))
    countries = Country.objects.filter(participations__in=results).values_list("iso2", flat=True)
    assert changed(analyst_client, "/api/v1/countries/", moment, "iso2") == set(countries)
