"""The overview at /: qualified totals over the filtered operations, series per year and region, map, rankings."""

import re
import xml.etree.ElementTree as ET

import pytest
from django.core.cache import cache
from django.core.cache.utils import make_template_fragment_key
from django.db import connection
from django.db.models import Count, F, Max
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from operations import caching, queries
from operations.figures import Figure
from operations.filters import OperationFilter
from operations.models import METRICS, Operation, Participation

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"

FILTERS = [
    {},
    {"year_from": 2020, "year_to": 2022},
    {"year_from": 2023},
    {"year_to": 2018},
    {"region": "Africa"},
    {"region": "Oceania", "year_from": 2021},
]


def expected_operations(filters):
    """The filter's meaning, computed the plain way: years inclusive, a participant in the region."""
    operations = list(Operation.objects.all())
    if "year_from" in filters:
        operations = [op for op in operations if op.year is not None and op.year >= filters["year_from"]]
    if "year_to" in filters:
        operations = [op for op in operations if op.year is not None and op.year <= filters["year_to"]]
    if "region" in filters:
        in_region = set(
            Participation.objects.filter(country__region=filters["region"]).values_list("operation_id", flat=True)
        )
        operations = [op for op in operations if op.pk in in_region]
    return operations


def overview_page(client, **params):
    return client.get(reverse("operations:home"), params)


@pytest.mark.parametrize("filters", FILTERS)
def test_totals_equal_figure_sum_over_the_filtered_operations(analyst_client, filters):
    operations = expected_operations(filters)
    response = overview_page(analyst_client, **filters)
    overview = response.context["overview"]
    html = response.content.decode()

    assert overview.operations == len(operations)
    for metric in METRICS:
        expected = Figure.sum(operation.figure(metric) for operation in operations)
        assert overview.totals[metric.value] == expected
        card = re.search(
            rf'data-metric="{metric.value}"><div class="card-body p-2">(.*?)</div></div></div>', html, re.S
        )
        assert str(expected.figure) in card.group(1)
        if expected.caveat():
            assert expected.caveat() in card.group(1)


@pytest.mark.parametrize("filters", FILTERS)
def test_filters_mean_what_they_mean_on_the_operations_table(analyst_client, filters):
    overview = overview_page(analyst_client, **filters).context["overview"]
    listed = analyst_client.get(reverse("operations:operation_list"), filters)
    totals = queries.operation_totals(OperationFilter(filters, queryset=queries.operations_for_filtering()).qs)

    assert listed.context["result_count"] == overview.operations
    for metric in METRICS:
        assert totals[metric.value] == overview.totals[metric.value]


@pytest.mark.parametrize(
    "params", [{"year_from": "abc"}, {"year_to": "1899"}, {"region": "Atlantis"}, {"year_from": 2024, "year_to": 2020}]
)
def test_a_filter_the_operations_table_refuses_the_overview_refuses_too(analyst_client, params):
    assert analyst_client.get(reverse("operations:operation_list"), params).status_code == 400
    assert overview_page(analyst_client, **params).status_code == 400


def test_an_unknown_figure_makes_the_total_a_lower_bound_never_a_zero(analyst_client):
    overview = overview_page(analyst_client).context["overview"]
    investigations = overview.totals["investigations_opened"]

    assert investigations.unknown_parts > 0
    assert str(investigations).startswith("at least ")


@pytest.mark.parametrize("filters", [{}, {"region": "Americas"}])
def test_per_year_series_equal_figure_sum_per_year_with_gaps_and_undated_operations(analyst_client, filters):
    operations = expected_operations(filters)
    overview = overview_page(analyst_client, **filters).context["overview"]
    dated = sorted({op.year for op in operations if op.year is not None})

    expected_years = [str(year) for year in range(dated[0], dated[-1] + 1)]
    if any(op.year is None for op in operations):
        expected_years.append("year unknown")
    assert [row.label for row in overview.years] == expected_years
    for row in overview.years:
        in_year = [op for op in operations if op.year == row.key]
        assert row.operations == len(in_year)
        for metric in METRICS:
            if in_year:
                assert row.totals[metric.value] == Figure.sum(op.figure(metric) for op in in_year)
            else:
                assert row.totals[metric.value].value is None


def test_per_region_counts_operations_with_a_participant_there():
    overview = queries.overview()
    for row in overview.regions:
        participations = Participation.objects.filter(country__region=row.key)
        assert row.operations == participations.values("operation").distinct().count()
        assert row.countries == participations.values("country").distinct().count()
        for metric in METRICS:
            assert row.totals[metric.value] == Figure.sum(p.figure(metric) for p in participations)


def test_charts_show_operations_and_victims_and_arrests_per_year(analyst_client):
    html = overview_page(analyst_client).content.decode()
    overview = queries.overview()
    titles = [
        ET.fromstring(svg).attrib["aria-label"] for svg in re.findall(r"<svg\b[^>]*class=\"chart.*?</svg>", html, re.S)
    ]

    assert titles[:3] == ["Operations per year", "Victims rescued per year", "Arrests per year"]
    operations_chart = ET.fromstring(re.findall(r"<svg\b[^>]*class=\"chart.*?</svg>", html, re.S)[0])
    columns = operations_chart.findall(f".//{SVG}g[@class='column']")
    assert [column.find(f"{SVG}title").text for column in columns] == [
        f"{row.label}: {row.operations}" for row in overview.years
    ]
    assert 'id="years-table"' in html


def test_map_marks_every_participating_country_shaded_by_number_of_operations(analyst_client):
    html = overview_page(analyst_client).content.decode()
    world = next(
        ET.fromstring(svg)
        for svg in re.findall(r"<svg\b[^>]*class=\"chart.*?</svg>", html, re.S)
        if 'class="chart world-map"' in svg
    )
    shaded = {el.attrib["data-iso2"] for el in world.iter() if "shaded" in el.attrib.get("class", "").split()}
    participating = set(Participation.objects.values_list("country__iso2", flat=True))

    from operations import charts

    assert shaded == participating - set(charts.unmappable(participating))


@pytest.mark.parametrize("key", ["operations", "victims_rescued", "arrests"])
def test_top_countries_are_ranked_by_the_chosen_figure(analyst_client, key):
    response = overview_page(analyst_client, top=key)
    top = response.context["top_countries"]
    html = response.content.decode()

    assert 0 < len(top) <= 10
    if key == "operations":
        counts = [row.operations for row, _ in top]
        assert counts == sorted(counts, reverse=True)
        most = Participation.objects.values("country").annotate(n=Count("pk")).aggregate(most=Max("n"))["most"]
        assert counts[0] == most
    else:
        values = [total.value for _, total in top]
        assert values == sorted(values, reverse=True)
        assert all(value is not None for value in values)
    assert f'data-rank="{key}"' in html


def test_latest_operations_are_the_newest_first(analyst_client):
    latest = overview_page(analyst_client).context["overview"].latest
    newest = Operation.objects.order_by(F("start_date").desc(nulls_last=True), "name")

    assert [op.slug for op in latest] == [op.slug for op in newest[: queries.LATEST_OPERATIONS]]
    assert len(latest) == min(queries.LATEST_OPERATIONS, Operation.objects.count())


@pytest.mark.parametrize(
    "params",
    [
        {"year_from": "abc"},
        {"year_to": "2020.5"},
        {"year_from": "99999"},
        {"year_from": "-5"},
        {"region": "Atlantis"},
        {"year_from": "2024", "year_to": "2020"},
        {"map": "<script>alert(1)</script>"},
        {"top": "1; DROP TABLE"},
        {"year_from": "\x00"},
    ],
)
def test_bad_filter_values_answer_400_with_the_form_error_shown_never_a_500(analyst_client, params):
    response = overview_page(analyst_client, **params)
    html = response.content.decode()

    assert response.status_code == 400  # as the lists answer an invalid filter
    assert 'id="form-errors"' in html
    assert "overview" not in response.context or response.context.get("overview") is None
    assert "<script>alert(1)</script>" not in html


def test_a_refused_filter_is_never_cached_and_answers_400_every_time(analyst_client, settings):
    settings.TRACKER_CACHE_SECONDS = 3600
    url = reverse("operations:home") + "?year_from=abc"
    cache.clear()
    statuses = [analyst_client.get(url).status_code for _ in range(2)]

    assert statuses == [400, 400]

    def fragment(path):  # home.html's {% cache ... "overview" ... %}: the quotes are part of the fragment's name
        return cache.get(make_template_fragment_key('"overview"', [f"{caching.data_version()}:en", path]))

    assert fragment(url) is None  # the refused page's fragment took no place in the cache
    valid = reverse("operations:home") + "?year_from=2018"
    assert analyst_client.get(valid).status_code == 200
    assert fragment(valid) is not None


def test_query_budget_is_constant_whatever_the_filter(analyst_client, settings):
    settings.TRACKER_CACHE_SECONDS = 0  # the budget of a page rendered from the database (test_caching.py: cached)
    counts = []
    for filters in [{}, {"region": "Africa"}, {"year_from": 2023, "top": "arrests", "map": "victims_rescued"}]:
        with CaptureQueriesContext(connection) as captured:
            assert overview_page(analyst_client, **filters).status_code == 200
        counts.append(len(captured))

    assert len(set(counts)) == 1 and counts[0] <= 12, counts


def test_overview_lists_the_card_operations_when_filtered_to_their_years(analyst_client):
    html = overview_page(analyst_client, year_from=2018, year_to=2022).content.decode()

    for slug in ["weka-ii", "storm-makers", "turquesa-iii"]:
        assert f'data-slug="{slug}"' in html
    assert "about 700" in html and "more than 10,000" in html
    assert 'data-slug="libertad"' in overview_page(analyst_client, year_to=2018).content.decode()
