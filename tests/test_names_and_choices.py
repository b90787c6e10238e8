"""Names in the language's collation, 'Any …' empty choices, the operation filter by name, sources without a link."""

import re

import pytest
from django.utils import translation

from operations import collation, dashboards, queries
from operations.models import Operation, Source
from tests.helpers.pages import row_keys

pytestmark = pytest.mark.django_db


def shown_names(response):
    return re.findall(r'<a href="/countries/\w+/">([^<]*)</a>', response.content.decode())


@pytest.mark.parametrize("language", ["en", "es", "fr"])
def test_countries_are_listed_in_the_collation_order_of_the_interface_language(analyst_client, language):
    analyst_client.cookies["django_language"] = language
    names = shown_names(analyst_client.get("/countries/", {"per_page": 250}))

    assert len(names) > 100
    with translation.override(language):
        assert names == collation.sorted_by_name(names)
    # Byte order put "Côte d'Ivoire" after "Czechia"; accents count only after the letters.
    assert collation.sort_key("Côte d’Ivoire", "en") < collation.sort_key("Czechia", "en")
    assert collation.sort_key("Émirats arabes unis", "fr") < collation.sort_key("Espagne", "fr")
    assert collation.sort_key("Nepal", "es") < collation.sort_key("Ñandú", "es") < collation.sort_key("Oman", "es")


def test_sorting_the_countries_by_name_descending_reverses_the_collation_order(analyst_client):
    analyst_client.cookies["django_language"] = "es"
    ascending = row_keys(analyst_client.get("/countries/", {"per_page": 250, "sort": "name"}), "data-iso2")
    descending = row_keys(analyst_client.get("/countries/", {"per_page": 250, "sort": "-name"}), "data-iso2")
    assert descending == ascending[::-1]


@pytest.mark.parametrize(
    ("url", "empty"),
    [
        ("/operations/", "Any region"),
        ("/operations/", "Any country"),
        ("/operations/", "Any form of exploitation"),
        ("/results/", "Any role"),
        ("/countries/", "Any sub-region"),
    ],
)
def test_an_empty_choice_reads_any_not_dashes(analyst_client, url, empty):
    html = analyst_client.get(url).content.decode()
    assert re.search(f'<option value=""( selected)?>{empty}</option>', html)
    assert "---------" not in html


def test_results_are_filtered_by_an_operation_typed_by_name_or_by_slug(analyst_client):
    libertad = Operation.objects.get(slug="libertad")
    by_name = row_keys(
        analyst_client.get("/results/", {"operation": "operation LIBERTAD", "per_page": 250}), "data-operation"
    )
    by_slug = row_keys(analyst_client.get("/results/", {"operation": "libertad", "per_page": 250}), "data-operation")
    assert set(by_name) == {"libertad"} and len(by_name) == libertad.participations.count()
    assert by_slug == by_name
    html = analyst_client.get("/results/").content.decode()
    assert '<datalist id="operation-suggestions">' in html and f'<option value="{libertad.name}">' in html
    refused = analyst_client.get("/results/", {"operation": "No Such Operation"}).content.decode()
    assert "No operation is named “No Such Operation”." in refused


def test_a_source_without_a_web_address_says_so_instead_of_a_bare_name(analyst_client):
    operation = Operation.objects.get(slug="libertad")
    source = operation.sources.first()
    Source.objects.filter(pk=source.pk).update(url="")
    html = analyst_client.get(operation.get_absolute_url()).content.decode()
    assert "no web address recorded" in html


def test_a_metric_only_one_country_has_is_a_sentence_not_a_single_bar():
    for operation in Operation.objects.all():
        dashboard = queries.operation_dashboard(operation.slug)
        for breakdown, chart, sentence in dashboards.breakdown_charts(dashboard):
            assert (chart is None) == (len(breakdown.rows) == 1)
            assert (sentence is None) == (len(breakdown.rows) > 1)
