"""/results/: a row per operation x country; filters by operation, country (ISO code), region, year, role, minimums."""

import pytest

from operations.figures import Figure
from operations.models import METRICS, Participation, Role
from tests.helpers.pages import cells, footer, has_table, row_keys

pytestmark = pytest.mark.django_db
URL = "/results/"


def get(client, **params):
    return client.get(URL, {"per_page": 250, **params})


def keys(response):
    return set(row_keys(response, "data-operation"))


def pairs(response):
    html = response.content.decode()
    import re

    return set(re.findall(r'<tr data-operation="([^"]+)" data-country="([^"]+)"', html))


def expected_pairs(queryset):
    return set(queryset.values_list("operation__slug", "country__iso2"))


def test_country_filter_by_iso2_in_any_case(analyst_client):
    expected = expected_pairs(Participation.objects.filter(country__iso2="BR"))
    assert len(expected) > 5
    assert pairs(get(analyst_client, country="BR")) == expected
    assert pairs(get(analyst_client, country="br")) == expected


def test_operation_filter_by_slug(analyst_client):
    response = get(analyst_client, operation="libertad")
    assert pairs(response) == expected_pairs(Participation.objects.filter(operation__slug="libertad"))


def test_region_and_year_filters(analyst_client):
    response = get(analyst_client, region="Africa", year_from=2021, year_to=2022)
    expected = expected_pairs(
        Participation.objects.filter(country__region="Africa", operation__year__gte=2021, operation__year__lte=2022)
    )
    assert expected and pairs(response) == expected
    assert all(iso2 != "BR" for _, iso2 in pairs(response))


def test_role_filter(analyst_client):
    expected = expected_pairs(Participation.objects.filter(role=Role.COMMAND_CENTRE))
    assert pairs(get(analyst_client, role=Role.COMMAND_CENTRE)) == expected


@pytest.mark.parametrize("metric", [m.value for m in METRICS[:2]])
def test_minimum_figure_filter(analyst_client, metric):
    response = get(analyst_client, **{f"min_{metric}": 20})
    expected = expected_pairs(Participation.objects.filter(**{f"{metric}__gte": 20}))
    assert expected and pairs(response) == expected


def test_country_figures_show_qualifiers_and_unknowns(analyst_client):
    response = get(analyst_client, operation="weka")
    shown = dict(zip(row_keys(response, "data-country"), cells(response, "victims_rescued"), strict=True))
    for participation in Participation.objects.filter(operation__slug="weka").select_related("country"):
        assert shown[participation.country.iso2] == str(participation.figure("victims_rescued"))
    assert shown["SD"] == "100" and shown["MA"] == "—"


def test_unknown_arrests_sort_last_in_both_directions(analyst_client):
    known = Participation.objects.filter(arrests__isnull=False).count()
    assert 0 < known < Participation.objects.count()
    for sort, reverse in [("arrests", False), ("-arrests", True)]:
        response = analyst_client.get(URL, {"per_page": 250, "sort": sort})
        values = [cell for cell in cells(response, "arrests")]
        assert all(value != "—" for value in values[:known]) and all(value == "—" for value in values[known:250])
        numbers = [int(value.replace(",", "").lstrip(">").rstrip("+").split()[-1]) for value in values[:known]]
        assert numbers == sorted(numbers, reverse=reverse)


def test_footer_totals_the_whole_filtered_set(analyst_client):
    response = analyst_client.get(URL, {"region": "Americas", "per_page": 25})
    filtered = list(Participation.objects.filter(country__region="Americas"))
    assert len(filtered) > 25 and len(row_keys(response, "data-country")) == 25
    for metric in METRICS:
        assert footer(response)[metric.value] == str(Figure.sum(p.figure(metric) for p in filtered))


@pytest.mark.parametrize("per_page", [25, 250])
def test_query_budget(analyst_client, django_assert_max_num_queries, per_page):
    with django_assert_max_num_queries(10):
        response = analyst_client.get(URL, {"per_page": per_page, "country": "br", "sort": "-arrests"})
    assert response.status_code == 200


def test_unknown_operation_slug_or_country_is_a_visible_error(analyst_client):
    for params in [{"operation": "no-such-operation"}, {"country": "ZZ"}, {"role": "boss"}]:
        response = analyst_client.get(URL, params)
        assert response.status_code == 400
        assert 'role="alert"' in response.content.decode()
        assert not has_table(response)
