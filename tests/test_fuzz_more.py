"""Garbage in the query string of the overview, the dashboards and every export, and malformed POSTs to the admin and
the import page: never a 5xx, and a rejected write leaves the database as it was."""

from urllib.parse import quote, urlencode

import pytest
from django.http import QueryDict
from django.urls import reverse
from hypothesis import example, given
from hypothesis import strategies as st

from operations import dashboards
from operations.models import Country, Operation, Participation, Region, ReportedFigure, Source

from .helpers.fuzzing import (
    BAD_IDS,
    BAD_YEARS,
    PLAUSIBLE,
    SETTINGS,
    admin_list_parameters,
    crafted_admin_urls,
    fuzz,
    tally,
)

pytestmark = pytest.mark.django_db

KEYS = ["year_from", "year_to", "region", "map", "top", "_export", "_bom", "sort", "country", "operation", "q"]
EXTRA = ["csv", "xlsx", "pdf", "victims_rescued", "operations", "role", "arrests", "0", "1"]
values = st.one_of(
    st.sampled_from(PLAUSIBLE + EXTRA),
    st.text(max_size=20),
    st.text(alphabet="\x00%&=+;#?/\\'\"<>", max_size=10),
    st.just("x" * 5_000),
)
query = st.lists(st.tuples(st.one_of(st.sampled_from(KEYS), st.text(max_size=8)), values), max_size=5).map(urlencode)
PAGES = ["/", "/operations/weka-ii/", "/operations/liberterra-iii/", "/operations/no-such-operation/", "/about/data/"]
EXPORTS = ["/operations/", "/results/", "/countries/", "/countries/br/"]


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.mark.slow
@SETTINGS
@given(path=st.sampled_from(PAGES), query=query)
@example(path="/", query="_export=" + "x" * 5_000)  # found on PostgreSQL: a format other than package is refused
def test_dashboards_and_overview_never_answer_5xx(staff_client, path, query):
    tally("dashboards and overview rendered")
    response = staff_client.get(f"{path}?{query}")
    assert response.status_code < 500, (path, query[:200])
    if path == "/":  # the overview answers a refused filter 400, as the lists do, and a valid one 200
        params = QueryDict(query)
        refused = not dashboards.OverviewFilter(params).form.is_valid()
        if params.get("_export") is not None:  # it exports only a data package: any other format is refused
            refused = refused or params["_export"] != "package"
        assert response.status_code == (400 if refused else 200), query[:200]


@pytest.mark.slow
@SETTINGS
@given(path=st.sampled_from(EXPORTS), query=query, export=st.sampled_from(["csv", "xlsx", "nope", ""]))
def test_exports_never_answer_5xx(staff_client, path, query, export):
    tally("exports streamed")
    response = staff_client.get(f"{path}?{query}&_export={export}")
    assert response.status_code < 500, (path, query[:200])
    if response.streaming:
        b"".join(response.streaming_content)  # the whole stream, so a failure mid-way shows here


def check_overview_filters(query):
    """The overview's query string, parsed as OverviewView parses it: either errors the page shows instead of any
    figure, or values queries.overview can take (years in range and in order, a known region, map and ranking)."""
    form = dashboards.OverviewFilter(QueryDict(query)).form
    if not form.is_valid():
        assert form.errors, query[:200]
        return
    data = form.cleaned_data
    years = [data[key] for key in ("year_from", "year_to") if data[key] is not None]
    assert all(1900 <= year <= 2100 for year in years) and years == sorted(years), query[:200]
    assert data["region"] in {"", *Region.values}, query[:200]
    choices = {key for key, _label in form.fields["map"].choices}
    assert data["map"] in choices and data["top"] in choices, query[:200]


def check_map_choice(query):
    """A dashboard's ?map=: a known choice or none; anything else is ignored for the default (never an error)."""
    form = dashboards.MapChoiceForm(QueryDict(query))
    if form.is_valid():
        assert form.cleaned_data["map"] in {"", *(key for key, _label in form.fields["map"].choices)}, query[:200]
    else:
        assert list(form.errors) == ["map"], query[:200]


@pytest.mark.slow
def test_thousands_of_generated_query_strings_never_break_the_overview_filters():
    # The view adds queries.overview() over these validated values: the rendered sample above covers it.
    fuzz("overview filters", query, check_overview_filters, 1000)
    fuzz("dashboard map choice", query, check_map_choice, 300)


def counts():
    return [model.objects.count() for model in (Operation, Participation, ReportedFigure, Source)]


fields = st.dictionaries(
    st.sampled_from(
        ["name", "slug", "year", "start_date", "end_date", "countries_reported", "victims_rescued", "arrests",
         "participations-TOTAL_FORMS", "participations-INITIAL_FORMS", "participations-0-country",
         "participations-0-victims_rescued", "version", "_save"]
    ),
    values,
    max_size=8,
)  # fmt: skip


@pytest.mark.slow
@SETTINGS
@given(data=fields)
def test_malformed_admin_posts_are_refused_and_write_nothing(client, editor, data):
    tally("admin posts")
    client.force_login(editor)
    before = counts()
    response = client.post(reverse("admin:operations_operation_add"), data)
    assert response.status_code < 500
    if response.status_code != 302:  # not saved: nothing written
        assert counts() == before


@pytest.mark.slow
@SETTINGS
@given(payload=st.binary(max_size=2_000), name=st.sampled_from(["operations.csv", "x.xlsx", "a.txt", ""]))
def test_malformed_import_uploads_are_refused_and_write_nothing(client, editor, payload, name):
    import io

    tally("import uploads")
    client.force_login(editor)
    before = counts()
    upload = io.BytesIO(payload)
    upload.name = name or "upload"
    url = reverse("admin:operations_operation_import")
    response = client.post(url, {"operations_file": upload})
    assert response.status_code < 500
    assert counts() == before


@pytest.mark.parametrize("value", ["BR", "99999999999999999999999", "1\x00", "-1"])
def test_a_refused_admin_form_with_a_country_that_is_no_id_shows_its_errors_not_a_500(client, editor, value):
    # Found by the deep fuzz run: the country autocomplete looked the posted value up as an id to show the refused
    # form again, and "BR" (or a number past 64 bits) raised instead of giving the form back with its errors.
    client.force_login(editor)
    before = counts()
    data = {"name": "Synthetic fuzz operation", "participations-TOTAL_FORMS": "1", "participations-INITIAL_FORMS": "0",
            "participations-0-country": value, "participations-0-victims_rescued": "12"}  # fmt: skip
    response = client.post(reverse("admin:operations_operation_add"), data)
    assert response.status_code == 200
    assert response.context["errors"]
    assert counts() == before


def test_a_refused_admin_form_still_shows_the_country_that_was_chosen(client, editor):
    # The key check above keeps every valid id: the refused form shows the chosen country again.
    client.force_login(editor)
    brazil = Country.objects.get(iso2="BR")
    data = {"name": "Synthetic fuzz operation", "participations-TOTAL_FORMS": "1", "participations-INITIAL_FORMS": "0",
            "participations-0-country": str(brazil.pk), "participations-0-victims_rescued": "-5"}  # fmt: skip
    response = client.post(reverse("admin:operations_operation_add"), data)
    assert response.status_code == 200
    assert f'<option value="{brazil.pk}" selected>{brazil}</option>' in response.content.decode()


# --- Crafted admin addresses --------------------------------------------------------------------------------------


def test_crafted_admin_addresses_answer_400_or_404_never_500(client, admin_user):
    """Issue 16 item 6, for every model admin (walked from the registry, so a new one is covered): date-hierarchy
    years past 9998, history and object ids that are no id, empty or '+' `_to_field`, NUL in list filters, the
    search and the autocomplete. On PostgreSQL too (NUL is refused by its driver)."""
    from django.contrib import admin

    client.force_login(admin_user)
    operation = Operation.objects.order_by("pk").first()
    urls = crafted_admin_urls(admin.site, operation.pk)
    tally("crafted admin addresses", len(urls))
    answers = {url: client.get(url).status_code for url in urls}
    assert {url: status for url, status in answers.items() if status not in (400, 404)} == {}
    assert len(urls) > 100


@pytest.mark.slow
@SETTINGS
@given(data=st.data())
def test_generated_admin_list_and_history_addresses_never_answer_5xx(client, admin_user, data):
    from django.contrib import admin

    tally("admin addresses", 5)
    client.force_login(admin_user)
    operation = Operation.objects.order_by("pk").first()
    for _ in range(5):
        model, model_admin = data.draw(st.sampled_from(sorted(admin.site._registry.items(), key=lambda i: str(i[0]))))
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        names = admin_list_parameters(model_admin)
        if model_admin.date_hierarchy:
            names += [f"{model_admin.date_hierarchy}__{part}" for part in ("year", "month", "day")]
        params = data.draw(
            st.lists(st.tuples(st.sampled_from([*names, "_to_field", "p", "all", "e"]), values), max_size=4)
        )
        paths = [reverse(f"{info}_changelist"), reverse(f"{info}_change", args=[operation.pk])]
        if hasattr(model_admin, "history_form_view"):
            version = data.draw(st.one_of(st.sampled_from(BAD_IDS + BAD_YEARS), st.text(max_size=8)))
            paths.append(reverse(f"{info}_history", args=[operation.pk]) + quote(version, safe="") + "/")
        for path in paths:
            response = client.get(path + "?" + urlencode(params))
            assert response.status_code < 500, (path, params)
