"""/countries/: every participating country with its number of operations and qualified totals across them."""

import pytest

from operations.figures import Figure
from operations.models import METRICS, Country, Participation
from tests.helpers.pages import cells, footer, has_table, row_keys

pytestmark = pytest.mark.django_db
URL = "/countries/"


def get(client, **params):
    return client.get(URL, {"per_page": 250, **params})


def participating():
    return Country.objects.filter(participations__isnull=False).distinct()


def test_lists_each_participating_country_once(analyst_client):
    response = get(analyst_client)
    shown = row_keys(response, "data-iso2")
    assert len(shown) == len(set(shown)) == participating().count()
    assert f"{participating().count()} countries" in response.content.decode()


def test_totals_are_qualified_and_never_count_unknown_as_zero(analyst_client):
    response = get(analyst_client)
    shown = dict(zip(row_keys(response, "data-iso2"), cells(response, "victims_rescued"), strict=True))
    for iso2 in ["IT", "PE", "SD", "BR", "MA"]:
        parts = [p.figure("victims_rescued") for p in Participation.objects.filter(country__iso2=iso2)]
        assert shown[iso2] == str(Figure.sum(parts))
    assert shown["SD"] == "100"
    assert shown["IT"].startswith("at least ") and "unknown" in shown["IT"]  # Italy: some operations give no figure
    assert shown["BR"] == "—"  # no source gives Brazil's own victims: unknown, not 0


def test_operations_count_per_country(analyst_client):
    html = get(analyst_client, region="Americas").content.decode()
    brazil = html.split('data-iso2="BR"', 1)[1].split("</tr>", 1)[0]
    assert f'<td class="figure-cell">{Participation.objects.filter(country__iso2="BR").count()}</td>' in brazil


def test_region_subregion_and_has_results_filters(analyst_client):
    assert set(row_keys(get(analyst_client, region="Africa"), "data-iso2")) == set(
        participating().filter(region="Africa").values_list("iso2", flat=True)
    )
    assert set(row_keys(get(analyst_client, subregion="Caribbean"), "data-iso2")) == set(
        participating().filter(subregion="Caribbean").values_list("iso2", flat=True)
    )
    with_figures = set(
        Participation.objects.exclude(
            victims_rescued=None, arrests=None, investigations_opened=None, migrants_identified=None
        ).values_list("country__iso2", flat=True)
    )
    assert set(row_keys(get(analyst_client, has_results="yes"), "data-iso2")) == with_figures
    assert not with_figures & set(row_keys(get(analyst_client, has_results="no"), "data-iso2"))


def test_sorting_by_a_total_puts_unknown_last_both_ways(analyst_client):
    for sort in ["victims_rescued", "-victims_rescued"]:
        values = cells(get(analyst_client, sort=sort), "victims_rescued")
        first_unknown = values.index("—")
        assert all(value == "—" for value in values[first_unknown:]), sort
    assert row_keys(get(analyst_client, sort="-victims_rescued"), "data-iso2")[0] == "IT"  # at least 209


def test_footer_totals_every_participation_of_the_filtered_countries(analyst_client):
    response = analyst_client.get(URL, {"region": "Africa", "per_page": 25})
    parts = list(Participation.objects.filter(country__region="Africa"))
    for metric in METRICS:
        assert footer(response)[metric.value] == str(Figure.sum(p.figure(metric) for p in parts))


@pytest.mark.parametrize("per_page", [25, 250])
def test_query_budget(analyst_client, django_assert_max_num_queries, per_page):
    with django_assert_max_num_queries(10):
        assert analyst_client.get(URL, {"per_page": per_page, "sort": "-arrests"}).status_code == 200


def test_bad_filter_values_are_errors(analyst_client):
    for params in [{"has_results": "maybe"}, {"subregion": "Atlantis"}, {"region": "Mars"}]:
        response = analyst_client.get(URL, params)
        assert response.status_code == 400 and not has_table(response)
