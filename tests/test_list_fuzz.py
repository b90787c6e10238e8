"""Garbage in any query parameter of any browsing page gives the page with a visible error, or a 4xx; never a 5xx,
and never a 200 that hides an invalid filter behind an empty table."""

import re
from functools import partial
from urllib.parse import urlencode

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory
from django_tables2 import RequestConfig
from hypothesis import given, settings
from hypothesis import strategies as st

from operations import exports, filters, views
from operations.models import METRICS

from .helpers.fuzzing import PLAUSIBLE, SETTINGS, examples, fuzz, tally

pytestmark = pytest.mark.django_db

KEYS = [
    "q", "coordinator", "region", "year_from", "year_to", "country", "exploitation", "operation", "role",
    "subregion", "has_results", "sort", "page", "per_page", "operations",
    *[f"min_{metric.value}" for metric in METRICS],
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
LISTS = ["/operations/", "/results/", "/countries/"]
FACTORY = RequestFactory()
SAFE_FILENAME = re.compile(r"[A-Za-z0-9_.-]+")


def check_view(user, path, query):
    """The view without the template: parse, validate, filter, sort, count, total and fetch the page. The templates
    are exercised through the test client by `check` on a smaller sample."""
    view, kwargs = VIEWS[path]
    request = FACTORY.get(f"{path}?{query}")
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


def check_filters(user, path, query):
    """What a list's query string steers, without the page: the view's own FilterSet bound to the query string as
    FilterView binds it; when invalid, the errors the page shows; when valid, the cleaned values inside the bounds
    the database can take, the export's file name built from the filters, and the filtered rows sorted by `?sort=`
    (tables2 and the table's order methods) with the first one fetched, so the database sees every value that passed
    validation. This is the export's query too (`get_export_queryset`). About a third of the cost of the whole view
    (`check_view`: count, footer totals, page), which the view-level sample below still runs."""
    view_class, kwargs = VIEWS[path]
    request = FACTORY.get(f"{path}?{query}")
    request.user = user
    view = view_class()
    view.setup(request, **kwargs)
    view.filterset = view.get_filterset(view.get_filterset_class())
    if view.filters_invalid:
        assert view.filterset.errors, (path, query[:200])
        return
    cleaned = view.filterset.form.cleaned_data if view.filterset.is_bound else {}  # unbound: an empty query string
    for name, value in cleaned.items():
        if name.startswith("min_") and value is not None:
            assert 0 <= value <= filters.MAX_FIGURE, (name, value)
        elif name.startswith("year_") and value is not None:
            assert filters.MIN_YEAR <= value <= filters.MAX_YEAR, (name, value)
        elif isinstance(value, str):
            assert "\x00" not in value and len(value) <= filters.MAX_TEXT, (name, value[:50])
    filename = exports.export_filename(view.get_export_name(), view.get_export_filters(), "csv")
    assert SAFE_FILENAME.fullmatch(filename) and filename.endswith(".csv"), filename
    view.object_list = view.filterset.qs
    table = view.get_table_class()(data=view.get_table_data())
    RequestConfig(request, paginate=False).configure(table)
    assert len(list(table.data.data[:1])) <= 1


# Query strings per page. The lists' filters (parse, validate, one query) are the cheap, deep layer; the whole view
# (count, totals, page) runs on a sample; /compare/ and a country's page have no filterset, and their view is cheap.
FILTER_EXAMPLES = {"/operations/": 2000, "/results/": 2000, "/countries/": 1500}
VIEW_EXAMPLES = {"/operations/": 100, "/results/": 100, "/countries/": 100, "/countries/br/": 500, "/compare/": 3000}


@pytest.mark.slow
@pytest.mark.parametrize("path", LISTS)
def test_thousands_of_generated_query_strings_never_break_a_lists_filters(analyst, path):
    fuzz(f"{path} filters", query_pairs.map(urlencode), partial(check_filters, analyst, path), FILTER_EXAMPLES[path])
    fuzz(f"{path} filters (raw)", raw_query, partial(check_filters, analyst, path), 100)


@pytest.mark.slow
@pytest.mark.parametrize("path", PATHS)
def test_generated_query_strings_never_break_a_view(analyst, path):
    fuzz(f"{path} view", query_pairs.map(urlencode), partial(check_view, analyst, path), VIEW_EXAMPLES[path])
    fuzz(f"{path} view (raw)", raw_query, partial(check_view, analyst, path), 20)


@pytest.mark.slow
@pytest.mark.parametrize("path", PATHS)
def test_generated_query_strings_render_a_page_or_a_4xx(analyst_client, path):
    @settings(SETTINGS, max_examples=examples(25))
    @given(pairs=query_pairs)
    def encoded(pairs):
        tally(f"{path} rendered")
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
