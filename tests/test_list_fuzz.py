"""Garbage in any query parameter of any browsing page gives the page with a visible error, or a 4xx; never a 5xx,
and never a 200 that hides an invalid filter behind an empty table."""

from urllib.parse import urlencode

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory
from hypothesis import given, settings
from hypothesis import strategies as st

from operations import views
from operations.models import METRICS

from .fuzzing import SETTINGS, examples

pytestmark = pytest.mark.django_db

KEYS = [
    "q", "coordinator", "region", "year_from", "year_to", "country", "exploitation", "operation", "role",
    "subregion", "has_results", "sort", "page", "per_page", "operations",
    *[f"min_{metric.value}" for metric in METRICS],
]  # fmt: skip
PLAUSIBLE = [
    "BR", "br", "ZZ", "Americas", "Africa", "Caribbean", "yes", "no", "libertad", "weka-ii", "participant",
    "command_centre", "forced-labour", "2021", "1899", "2101", "-1", "0", "25", "250", "500", "99999", "abc", "1e9",
    "9" * 30, "-victims_rescued", "arrests", "-nope", "name", "period", "-countries_named", "operations_count", "",
]  # fmt: skip

values = st.one_of(
    st.sampled_from(PLAUSIBLE),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.text(max_size=30),
    st.text(alphabet="\x00%&=+;#?/\\'\"<>", max_size=12),
    st.just("x" * 10_000),
    st.just("\x00"),
)
keys = st.one_of(st.sampled_from(KEYS), st.text(max_size=12))
query_pairs = st.lists(st.tuples(keys, values), max_size=6)
raw_query = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_=&%0123456789-+;", max_size=60)


def check(client, path, query):
    """Through the whole stack (middleware, view, template)."""
    response = client.get(f"{path}?{query}")
    assert response.status_code < 500, (path, query[:200])
    if response.status_code == 200 and response.context and "filters_invalid" in response.context:
        assert not response.context["filters_invalid"], (path, query[:200])
    if response.status_code == 400 and response.context is not None:
        assert 'role="alert"' in response.content.decode(), (path, query[:200])
    return response


VIEWS = {
    "/operations/": (views.OperationListView, {}),
    "/results/": (views.ResultListView, {}),
    "/countries/": (views.CountryListView, {}),
    "/countries/br/": (views.CountryDetailView, {"iso2": "br"}),
    "/compare/": (views.CompareView, {}),
}
PATHS = list(VIEWS)


def check_view(user, path, query):
    """The view without the template: parse, validate, filter, sort, count, total and fetch the page. Cheap enough
    to run thousands of times; the templates are exercised through the test client by `check` on a smaller sample."""
    view, kwargs = VIEWS[path]
    request = RequestFactory().get(f"{path}?{query}")
    request.user = user
    try:
        response = view.as_view()(request, **kwargs)
    except (Http404, PermissionDenied):  # 404 and 403 through the full stack, e.g. an analyst asking for ?_export
        return
    assert response.status_code < 500
    context = response.context_data
    table = context.get("table")
    if context.get("filters_invalid") is False and table is not None:
        # Every query the parameters steer (filter, sort, page): cell rendering does not depend on them.
        list(table.page.object_list)
    if "comparison" in context:
        assert len(context["comparison"]["operations"]) in (2, 3, 4)


# Examples per page, sized so the whole file stays near a minute of CPU (~20 ms a list view, <1 ms /compare/):
# about 2,600 generated query strings in all, plus the rendered sample and the named garbage below.
EXAMPLES = {"/operations/": 320, "/results/": 320, "/countries/": 320, "/countries/br/": 320, "/compare/": 1000}


@pytest.mark.parametrize("path", PATHS)
def test_thousands_of_generated_query_strings_never_break_a_view(analyst, path):
    @settings(SETTINGS, max_examples=examples(EXAMPLES[path]))
    @given(pairs=query_pairs)
    def encoded(pairs):
        check_view(analyst, path, urlencode(pairs))

    @settings(SETTINGS, max_examples=examples(60))
    @given(query=raw_query)
    def raw(query):
        check_view(analyst, path, query)

    encoded()
    raw()


@pytest.mark.parametrize("path", PATHS)
def test_generated_query_strings_render_a_page_or_a_4xx(analyst_client, path):
    @settings(SETTINGS, max_examples=examples(25))
    @given(pairs=query_pairs)
    def encoded(pairs):
        check(analyst_client, path, urlencode(pairs))

    encoded()


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize(
    "query",
    [
        "year_from=abc", "sort=nope", "country=ZZ", "per_page=-1", "page=99999", "page=-3", "page=abc",
        "country=%00", "q=%00", "operations=%00&operations=libertad", "q=" + "x" * 10_000,
        "region=Americas&region=Asia",
        "sort=-victims_rescued&sort=nope&sort=arrests", "min_arrests=99999999999999999999999", "year_to=9" * 3,
    ],
)  # fmt: skip
def test_known_garbage(analyst_client, path, query):
    check(analyst_client, path, query)
