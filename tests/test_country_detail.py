"""/countries/<iso2>/: a country's qualified totals and every operation it took part in, with its own figures."""

import pytest

from operations.figures import Figure
from operations.models import METRICS, Participation
from tests.helpers.pages import cells, row_keys, text

pytestmark = pytest.mark.django_db


def test_iso2_in_either_case_shows_the_country(analyst_client):
    for url in ["/countries/br/", "/countries/BR/", "/countries/Br/"]:
        response = analyst_client.get(url)
        assert response.status_code == 200
        assert "<h1" in response.content.decode() and "Brazil" in response.content.decode()


@pytest.mark.parametrize("iso2", ["zz", "xyz", "b", "%00%00", "br%00"])
def test_unknown_country_is_404(analyst_client, iso2):
    assert analyst_client.get(f"/countries/{iso2}/").status_code == 404


def test_lists_every_operation_it_took_part_in_with_its_own_figures(analyst_client):
    response = analyst_client.get("/countries/pe/", {"per_page": 250})
    participations = Participation.objects.filter(country__iso2="PE").select_related("operation")
    assert set(row_keys(response, "data-operation")) == {p.operation.slug for p in participations}
    shown = dict(zip(row_keys(response, "data-operation"), cells(response, "victims_rescued"), strict=True))
    for participation in participations:
        assert shown[participation.operation.slug] == str(participation.figure("victims_rescued"))
    assert f"{participations.count()} operations" in response.content.decode()


def test_totals_are_qualified_sums_of_its_figures(analyst_client):
    html = analyst_client.get("/countries/pe/").content.decode()
    for metric in METRICS:
        total = Figure.sum(p.figure(metric) for p in Participation.objects.filter(country__iso2="PE"))
        cell = html.split(f'<div class="fs-5 fw-semibold" data-metric="{metric.value}">', 1)[1].split("</div>", 1)[0]
        assert text(cell) == str(total.figure)
    assert "unknown" in html


def test_query_budget(analyst_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        assert analyst_client.get("/countries/br/", {"sort": "-arrests"}).status_code == 200
