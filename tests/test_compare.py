"""/compare/: 2 to 4 operations side by side, metrics as rows, missing shown as "—", every figure citing its source."""

import pytest

from operations.models import METRICS, Operation, ReportedFigure
from tests.browse import text

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
    assert "nearly 700" in text(row(html, "victims_rescued"))
    assert "nearly 350" in text(row(html, "victims_rescued"))
    for label in ["Period", "Coordinator", "Countries reported", "Countries named"]:
        assert f'<th scope="row">{label}</th>' in html


def test_missing_figures_show_a_dash_never_zero(analyst_client):
    html = analyst_client.get(URL, {"operations": ["libertad", "andes"]}).content.decode()
    assert Operation.objects.get(slug="libertad").investigations_opened is None
    investigations = text(row(html, "investigations_opened"))
    assert investigations.count("—") == 1 and " 0" not in investigations
    assert "—" in text(row(html, "victims_rescued"))  # Andes: no source gives victims


def test_each_figure_cites_its_source(analyst_client):
    html = analyst_client.get(URL, {"operations": ["libertad", "weka-ii", "turquesa-iii"]}).content.decode()
    sources = ReportedFigure.objects.filter(
        operation__slug__in=["libertad", "weka-ii", "turquesa-iii"], participation=None, is_preferred=True
    ).select_related("source")
    for figure in sources:
        assert figure.source.url in html
    assert 'href="#source-1"' in html and 'id="source-1"' in html


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
