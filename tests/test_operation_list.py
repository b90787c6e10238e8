"""/operations/: filters narrow, figures sort with unknowns last, the footer totals the filtered set, bad input."""

import re

import pytest
from django.db.models import Q
from django.test import RequestFactory

from operations.figures import Figure, Qualifier
from operations.models import METRICS, Operation
from operations.views import OperationListView
from tests.factories import synthetic_operations
from tests.helpers.pages import cells, footer, has_table, row_keys

pytestmark = pytest.mark.django_db
URL = "/operations/"


def get(client, **params):
    return client.get(URL, {"per_page": 250, **params})


def slugs(queryset):
    return set(queryset.values_list("slug", flat=True))


def test_lists_every_operation_with_a_count(analyst_client):
    response = get(analyst_client)
    assert response.status_code == 200
    assert set(row_keys(response)) == slugs(Operation.objects.all())
    assert f"{Operation.objects.count()} operations" in response.content.decode()


def test_figures_show_their_qualifiers(analyst_client):
    response = get(analyst_client)
    victims = dict(zip(row_keys(response), cells(response, "victims_rescued"), strict=True))
    migrants = dict(zip(row_keys(response), cells(response, "migrants_identified"), strict=True))
    assert victims["weka-ii"] == "about 700"
    assert victims["libertad"] == "about 350"
    assert migrants["turquesa-iii"] == "more than 10,000"
    assert victims["andes"] == "—"
    unnamed = Operation.objects.get(victims_rescued_qualifier=Qualifier.AT_LEAST).slug
    assert victims[unnamed] == "at least 250"


def test_operation_name_links_to_its_dashboard(analyst_client):
    html = get(analyst_client).content.decode()
    assert 'href="/operations/libertad/"' in html


def test_region_filter_keeps_operations_with_a_participant_in_that_region(analyst_client):
    response = get(analyst_client, region="Americas")
    expected = slugs(Operation.objects.filter(participations__country__region="Americas").distinct())
    assert 0 < len(expected) < Operation.objects.count()
    assert row_keys(response) and set(row_keys(response)) == expected
    assert len(row_keys(response)) == len(expected)  # an operation with many American countries is one row


def test_year_range_filter(analyst_client):
    response = get(analyst_client, year_from=2021, year_to=2022)
    assert set(row_keys(response)) == slugs(Operation.objects.filter(year__gte=2021, year__lte=2022))
    assert len(row_keys(response)) == 13 and "libertad" not in row_keys(response)  # operations.csv: 6 + 7


def test_country_filter_takes_iso2_in_any_case(analyst_client):
    expected = slugs(Operation.objects.filter(participations__country__iso2="BR"))
    assert expected
    assert set(row_keys(get(analyst_client, country="BR"))) == expected
    assert set(row_keys(get(analyst_client, country="br"))) == expected


def test_minimum_victims_excludes_smaller_and_unknown(analyst_client):
    response = get(analyst_client, min_victims_rescued=1000)
    assert set(row_keys(response)) == slugs(Operation.objects.filter(victims_rescued__gte=1000))
    assert len(row_keys(response)) == 6 and "andes" not in row_keys(response)  # Andes: victims unknown


@pytest.mark.parametrize("metric", [m.value for m in METRICS])
def test_every_metric_has_a_minimum_filter(analyst_client, metric):
    response = get(analyst_client, **{f"min_{metric}": 200})
    assert set(row_keys(response)) == slugs(Operation.objects.filter(**{f"{metric}__gte": 200}))


def test_search_matches_name_or_summary_case_insensitively(analyst_client):
    response = get(analyst_client, q="WEKA")
    assert set(row_keys(response)) == slugs(
        Operation.objects.filter(Q(name__icontains="weka") | Q(summary__icontains="weka"))
    )
    assert "weka-ii" in row_keys(response)


def test_coordinator_and_exploitation_filters(analyst_client):
    assert set(row_keys(get(analyst_client, coordinator="europol"))) == slugs(
        Operation.objects.filter(coordinator__icontains="europol")
    )
    expected = slugs(Operation.objects.filter(exploitation_forms__slug="forced-labour"))
    assert expected
    assert set(row_keys(get(analyst_client, exploitation="forced-labour"))) == expected


@pytest.mark.parametrize("metric", [m.value for m in METRICS])
def test_unknown_figures_sort_last_in_both_directions(analyst_client, metric):
    synthetic_operations(
        2, figures=lambda i: {"arrests": Figure(5)} if i else {}
    )  # arrests: every reference one is known
    known = Operation.objects.filter(**{f"{metric}__isnull": False}).count()
    assert 0 < known < Operation.objects.count()
    for sort, reverse in [(metric, False), (f"-{metric}", True)]:
        order = row_keys(get(analyst_client, sort=sort))
        values = dict(Operation.objects.values_list("slug", metric))
        shown = [values[slug] for slug in order]
        assert all(value is None for value in shown[known:]), sort
        assert shown[:known] == sorted(shown[:known], reverse=reverse), sort


def test_sort_by_victims_descending_puts_the_largest_first(analyst_client):
    order = row_keys(get(analyst_client, sort="-victims_rescued"))
    assert order[0] == Operation.objects.order_by("-victims_rescued").exclude(victims_rescued=None)[0].slug
    assert order[-1] in slugs(Operation.objects.filter(victims_rescued=None))


def test_footer_totals_every_filtered_operation_not_only_the_page(analyst_client):
    def figures(i):
        return {
            "victims_rescued": Figure(None if i % 7 == 0 else 10 + i, Qualifier.APPROX if i % 5 == 0 else "exact"),
            "arrests": Figure(i),
        }

    synthetic_operations(30, figures=figures)
    response = analyst_client.get(URL, {"year_from": 2099, "per_page": 25})
    assert len(row_keys(response)) == 25
    assert "30 operations" in response.content.decode()
    filtered = list(Operation.objects.filter(year=2099))
    for metric in METRICS:
        expected = Figure.sum(operation.figure(metric) for operation in filtered)
        assert footer(response)[metric.value] == str(expected)
    assert footer(response)["arrests"] == "435"
    assert footer(response)["victims_rescued"].startswith("at least ")  # five unknown parts: a lower bound
    assert "approximate" in footer(response)["victims_rescued"]


def test_footer_follows_the_filters(analyst_client):
    response = get(analyst_client, region="Americas")
    filtered = Operation.objects.filter(participations__country__region="Americas").distinct()
    expected = Figure.sum(operation.figure("arrests") for operation in filtered)
    assert footer(response)["arrests"] == str(expected)


@pytest.mark.parametrize("per_page", [25, 250])
def test_query_count_is_constant_whatever_the_page_size(analyst_client, django_assert_max_num_queries, per_page):
    synthetic_operations(40, figures=lambda i: {"arrests": Figure(i + 1)})
    with django_assert_max_num_queries(10):
        response = analyst_client.get(URL, {"per_page": per_page, "region": "Americas", "sort": "-victims_rescued"})
    assert response.status_code == 200


def test_page_size_25_and_250_cost_the_same_number_of_queries(analyst_client, django_assert_num_queries):
    synthetic_operations(40, figures=lambda i: {"arrests": Figure(i + 1)})
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for per_page in (25, 250):
        with CaptureQueriesContext(connection) as queries:
            analyst_client.get(URL, {"per_page": per_page, "country": "BR"})
        counts.append(len(queries))
    assert counts[0] == counts[1] <= 10


@pytest.mark.parametrize(
    "bad", [{"year_from": "abc"}, {"country": "ZZ"}, {"min_arrests": "-5"}, {"region": "Atlantis"}]
)
def test_invalid_filter_shows_the_error_and_no_table(analyst_client, bad):
    response = analyst_client.get(URL, bad)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html and "These filters cannot be applied" in html
    assert not has_table(response)
    assert "0 operations" not in html


def test_reversed_year_range_is_an_error(analyst_client):
    response = analyst_client.get(URL, {"year_from": 2024, "year_to": 2020})
    assert response.status_code == 400
    assert "is after" in response.content.decode()


def test_unknown_sort_and_bad_page_size_fall_back_to_defaults(analyst_client):
    synthetic_operations(60)
    for params in [{"sort": "nope"}, {"per_page": "-1"}, {"per_page": "500"}, {"per_page": "abc"}]:
        response = analyst_client.get(URL, params)
        assert response.status_code == 200, params
        assert response.context["per_page"] == 50
        assert len(row_keys(response)) == 50


def test_page_past_the_end_shows_the_last_page(analyst_client):
    synthetic_operations(60)
    response = analyst_client.get(URL, {"page": 99999})
    assert response.status_code == 200
    active_page = re.search(r'page-item active">\s*<a class="page-link"[^>]*>\s*(\d+)', response.content.decode())
    last = (Operation.objects.count() - 1) // 50 + 1
    assert active_page and active_page.group(1) == str(last)
    assert len(row_keys(response)) == Operation.objects.count() - 50 * (last - 1)


def test_active_filters_are_shown_with_a_link_that_removes_them(analyst_client):
    response = get(analyst_client, region="Americas", year_from=2020, sort="-arrests")
    active = {f["name"]: f for f in response.context["active_filters"]}
    assert set(active) == {"region", "year_from"}
    assert active["region"]["value"] == "Americas"
    remove = active["region"]["remove_url"]
    assert "region" not in remove and "year_from=2020" in remove and "sort=-arrests" in remove
    assert 'data-filter="region"' in response.content.decode()


def test_no_match_shows_an_empty_state_not_an_empty_table(analyst_client):
    response = get(analyst_client, q="no operation is called this")
    assert response.status_code == 200
    html = response.content.decode()
    assert "0 operations" in html and 'id="empty-state"' in html
    assert not has_table(response)


def test_sort_and_filters_survive_in_page_and_page_size_links(analyst_client):
    synthetic_operations(60)
    html = analyst_client.get(URL, {"sort": "-arrests", "year_from": 2000, "per_page": 25}).content.decode()
    assert "?sort=-arrests&amp;year_from=2000&amp;per_page=25&amp;page=2" in html
    assert "sort=-arrests&amp;year_from=2000&amp;per_page=100" in html


def test_table_data_is_every_filtered_row_in_the_shown_order(analyst):
    """What an export takes: `get_table().data.data` is the filtered, sorted queryset, not the page."""
    synthetic_operations(30, figures=lambda i: {"arrests": Figure(i)})
    request = RequestFactory().get(URL, {"year_from": 2099, "sort": "-arrests", "per_page": 25})
    request.user = analyst
    view = OperationListView()
    view.setup(request)
    view.filterset = view.get_filterset(view.get_filterset_class())
    view.object_list = view.filterset.qs
    table = view.get_table(**view.get_table_kwargs())
    rows = list(table.data.data)
    assert len(rows) == 30 and len(table.page.object_list) == 25
    assert [row.arrests for row in rows] == list(range(29, -1, -1))


def test_countries_named_counts_participations_and_sorts(analyst_client):
    response = get(analyst_client, sort="-countries_named")
    named = {o.slug: o.participations.count() for o in Operation.objects.all()}
    order = row_keys(response)
    assert [named[slug] for slug in order] == sorted(named.values(), reverse=True)
    weka = response.content.decode().split('data-slug="weka-ii"', 1)[1].split("</tr>", 1)[0]
    assert f">{named['weka-ii']}</td>" in weka


@pytest.mark.parametrize(
    ("language", "typed"),
    [("es", "10.000"), ("es", "10 000"), ("en", "10,000"), ("en", "10000"), ("fr", "10 000"), ("fr", "10\u202f000")],
)
def test_minimum_filters_read_the_languages_thousands_grouping(analyst_client, language, typed):
    response = analyst_client.get(
        URL, {"per_page": 250, "min_migrants_identified": typed}, headers={"accept-language": language}
    )
    assert response.status_code == 200
    expected = slugs(Operation.objects.filter(migrants_identified__gte=10000))
    assert set(row_keys(response)) == expected != slugs(Operation.objects.filter(migrants_identified__gte=10))


@pytest.mark.parametrize(
    ("language", "typed", "example"),
    [("es", "10,000", "10.000"), ("es", "10,5", "10.000"), ("en", "10.000", "10,000"), ("en", "1.5", "10,000")],
)
def test_a_minimum_in_another_grouping_or_with_decimals_is_refused_never_misread(
    analyst_client, language, typed, example
):
    response = analyst_client.get(URL, {"min_arrests": typed}, headers={"accept-language": language})
    assert response.status_code == 400
    assert "10000" in response.content.decode() and example in response.content.decode()
    assert not has_table(response)
