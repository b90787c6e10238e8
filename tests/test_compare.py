"""/compare/: 2 to 4 operations side by side, metrics as rows, missing shown as "—", every figure citing its source."""

import re

import pytest

from operations import queries, services
from operations.models import METRICS, Operation, ReportedFigure
from tests.helpers.pages import figure_notes, note_numbers, text

pytestmark = pytest.mark.django_db
URL = "/compare/"


def row(html, metric):
    return html.split(f'<tr data-metric="{metric}">', 1)[1].split("</tr>", 1)[0]


def test_two_operations_side_by_side_in_the_order_given(analyst_client):
    response = analyst_client.get(URL, {"operations": ["weka-ii", "libertad"]})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index('data-slug="weka-ii"') < html.index('data-slug="libertad"')
    for metric in METRICS:
        assert f'<tr data-metric="{metric.value}">' in html
    assert "about 700" in text(row(html, "victims_rescued"))
    assert "about 350" in text(row(html, "victims_rescued"))
    for label in ["Period", "Coordinator", "Countries reported", "Countries named"]:
        assert f'<th scope="row">{label}</th>' in html


def test_missing_figures_show_a_dash_never_zero(analyst_client):
    html = analyst_client.get(URL, {"operations": ["libertad", "andes"]}).content.decode()
    assert Operation.objects.get(slug="libertad").investigations_opened is None
    investigations = text(row(html, "investigations_opened"))
    assert investigations.count("—") == 1 and " 0" not in investigations
    assert "—" in text(row(html, "victims_rescued"))  # Andes: no source gives victims


def test_each_figure_leads_to_its_preferred_source_and_the_other_reports(analyst_client):
    slugs = ["libertad", "weka-ii", "turquesa-iii"]
    html = analyst_client.get(URL, {"operations": slugs}).content.decode()
    notes = figure_notes(html)
    reports = ReportedFigure.objects.filter(operation__slug__in=slugs, participation=None).select_related(
        "source", "operation"
    )

    assert reports.filter(is_preferred=False).exists()
    for reported in reports:
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row(html, reported.metric), re.S)
        (number,) = note_numbers(cells[slugs.index(reported.operation.slug)])
        note = notes[number]
        assert text(note).startswith(f"{reported.get_metric_display().capitalize()}, {reported.operation.name}:")
        preferred_part, _, others = note.partition("<details>")
        assert reported.source.url in (preferred_part if reported.is_preferred else others)
    assert sorted(notes) == list(range(1, len(notes) + 1))


def test_four_operations_is_the_limit(analyst_client):
    four = ["libertad", "weka", "weka-ii", "andes"]
    assert analyst_client.get(URL, {"operations": four}).status_code == 200
    response = analyst_client.get(URL, {"operations": [*four, "nawa"]})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'role="alert"' in html and "Choose 2 to 4" in html and 'id="compare-form"' in html


def test_fewer_than_two_shows_the_selection_form_with_a_message(analyst_client):
    response = analyst_client.get(URL, {"operations": "libertad"})
    assert response.status_code == 400
    assert "Choose 2 to 4" in response.content.decode()
    response = analyst_client.get(URL, {"operations": ["libertad", "libertad"]})  # the same one twice is one
    assert response.status_code == 400
    no_choice = analyst_client.get(URL)
    assert no_choice.status_code == 200 and 'id="compare-form"' in no_choice.content.decode()


@pytest.mark.parametrize("bad", ["no-such-operation", "x" * 10_000, "lib\x00ertad", ""])
def test_unknown_slug_is_a_form_error_not_a_500(analyst_client, bad):
    response = analyst_client.get(URL, {"operations": ["libertad", bad]})
    assert response.status_code == 400
    assert 'role="alert"' in response.content.decode()


def test_query_budget(analyst_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(10):
        analyst_client.get(URL, {"operations": ["libertad", "weka", "weka-ii", "andes"]})


@pytest.fixture
def many_operations():
    """More synthetic operations than the selection lists at once."""
    count = queries.COMPARE_CHOICES_SHOWN + 5
    Operation.objects.bulk_create(
        Operation(name=f"Synthetic compare {i:03d}", slug=f"synthetic-compare-{i:03d}", year=2040, is_verified=False)
        for i in range(count)
    )
    services.data_changed()  # bulk_create sends no signal: say the data changed, as the bulk writers do
    return count


def listed_slugs(html):
    start = html.index('<select name="operations"')
    select = html[start : html.index("</select>", start)]
    return re.findall(r'<option value="([^"]+)"', select)


def test_the_selection_lists_the_latest_operations_and_says_how_to_find_the_others(analyst_client, many_operations):
    html = analyst_client.get(URL).content.decode()
    listed = listed_slugs(html)
    assert len(listed) == queries.COMPARE_CHOICES_SHOWN
    # Latest first: every reference operation (2014-2025) is listed; the synthetic ones have no date, so only some are.
    assert "weka-ii" in listed and "libertad" in listed
    total = Operation.objects.count()
    assert f"latest {queries.COMPARE_CHOICES_SHOWN} of {total} operations" in text(html)
    assert 'name="find"' in html


def test_find_lists_the_operations_whose_name_matches_and_keeps_the_chosen_ones(analyst_client, many_operations):
    response = analyst_client.get(URL, {"find": "compare 20", "operations": ["weka-ii"]})
    assert response.status_code == 200  # a search is not a comparison of one operation
    assert 'id="compare-errors"' not in response.content.decode()
    listed = listed_slugs(response.content.decode())
    assert sorted(listed) == sorted([f"synthetic-compare-{i:03d}" for i in range(200, 205)] + ["weka-ii"])
    assert '<option value="weka-ii" selected>' in response.content.decode()
    assert "latest" not in text(response.content.decode())  # everything that matches is listed


def test_operations_outside_the_listed_ones_still_compare(analyst_client, many_operations):
    response = analyst_client.get(URL, {"operations": ["synthetic-compare-000", "synthetic-compare-204"]})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-slug="synthetic-compare-000"' in html and 'data-slug="synthetic-compare-204"' in html
    assert {"synthetic-compare-000", "synthetic-compare-204"} <= set(listed_slugs(html))


@pytest.mark.parametrize("find", ["x" * 101, "weka\x00"])
def test_a_bad_search_is_a_form_error_not_a_500(analyst_client, find):
    response = analyst_client.get(URL, {"find": find})
    assert response.status_code == 400
    assert 'id="compare-find"' in response.content.decode()
