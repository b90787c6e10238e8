"""The JSON API (/api/v1/): figure objects, the pages' filters and sort keys, cursors, sync, tokens, errors, budgets."""

import datetime
import hashlib

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from operations import queries, services, tables
from operations.figures import Figure, Qualifier
from operations.filters import ResultFilter
from operations.models import METRICS, ApiToken, Country, Operation, Participation, ReportedFigure, Source
from operations.queries import results_for_filtering
from tests.factories import ParticipationFactory
from tests.helpers.api import published_schema, walk
from tests.helpers.pages import row_keys
from tests.helpers.synthetic import add_synthetic_operations

pytestmark = pytest.mark.django_db


@pytest.fixture
def token(analyst):
    from operations.api.tokens import create_token

    return create_token(analyst, "tests")[1]


def bearer(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def with_victims():
    """An operation whose operation-wide victims figure some source gives."""
    return Operation.objects.filter(victims_rescued__isnull=False).order_by("pk").first()


def without_victims():
    return Operation.objects.filter(victims_rescued__isnull=True).order_by("pk").first()


def with_countries(exclude=None):
    return Operation.objects.filter(participations__isnull=False).exclude(pk=exclude).order_by("pk").first()


# --- Figures -------------------------------------------------------------------------------------------------------


def test_every_figure_is_an_object_with_value_qualifier_text_and_the_preferred_source(analyst_client):
    operation = with_victims()
    body = analyst_client.get(f"/api/v1/operations/{operation.slug}/").json()
    victims = body["figures"]["victims_rescued"]
    assert victims["value"] == operation.victims_rescued
    assert victims["qualifier"] == operation.victims_rescued_qualifier
    assert victims["text"] == str(operation.figure("victims_rescued"))
    preferred = ReportedFigure.objects.get(
        operation=operation, participation=None, metric="victims_rescued", is_preferred=True
    )
    assert victims["source"]["id"] == preferred.source_id
    assert victims["quote"] == (preferred.quote or None)
    assert victims["stated_as"] == (preferred.stated_as or None)
    assert victims["source"]["key"] == preferred.source.key


def test_unknown_figures_are_null_never_zero(analyst_client):
    body = analyst_client.get(f"/api/v1/operations/{without_victims().slug}/").json()
    assert body["figures"]["victims_rescued"] == {
        "value": None,
        "qualifier": None,
        "text": None,
        "stated_as": None,
        "source": None,
        "quote": None,
        "note": None,
        "conflicting": [],
    }


def test_detail_lists_conflicting_reports_beside_the_preferred_one(analyst_client):
    operation = with_victims()
    other = Source.objects.create(publisher="A later wire story", url="https://example.org/later-story")
    services.record_figure(
        operation=operation, metric="victims_rescued", figure=Figure(500, Qualifier.MORE_THAN), source=other
    )
    figures = analyst_client.get(f"/api/v1/operations/{operation.slug}/").json()["figures"]["victims_rescued"]
    conflicting = [report for report in figures["conflicting"] if report["source"]["id"] == other.pk]
    assert conflicting == [
        {
            "value": 500,
            "qualifier": "more_than",
            "text": str(Figure(500, Qualifier.MORE_THAN)),
            "stated_as": None,
            "source": conflicting[0]["source"],
            "quote": None,
            "note": None,
        }
    ]
    assert figures["source"]["id"] != other.pk or figures["value"] == 500


def test_display_text_follows_the_request_language(analyst_client):
    english = analyst_client.get("/api/v1/countries/", HTTP_ACCEPT_LANGUAGE="en").json()["results"]
    spanish = analyst_client.get("/api/v1/countries/", HTTP_ACCEPT_LANGUAGE="es").json()["results"]
    from operations.countries import localized_name

    assert {row["iso2"]: row["name"] for row in spanish} == {
        row["iso2"]: localized_name(row["iso2"], row["name_en"], "es") for row in spanish
    }
    assert any(row["name"] != row["name_en"] for row in spanish)  # Alemania, Brasil, ...
    # Each language lists countries in its own alphabetical order, so a first page holds other countries.
    english_names = {row["iso2"]: row["name_en"] for row in english}
    spanish_names = {row["iso2"]: row["name_en"] for row in spanish}
    common = english_names.keys() & spanish_names.keys()
    assert common and all(english_names[iso2] == spanish_names[iso2] for iso2 in common)


def test_country_totals_carry_their_parts(analyst_client):
    brazil = analyst_client.get("/api/v1/countries/br/").json()
    total = brazil["totals"]["arrests"]
    kept = Country.objects.get(iso2="BR").total
    assert total["parts"] == kept.operations
    assert total["unknown_parts"] == kept.operations - kept.arrests_known
    assert total["value"] == (kept.arrests_sum if kept.arrests_known else None)


# --- The pages' filters and sort keys --------------------------------------------------------------------------------


def test_results_filter_means_what_the_page_filter_means(analyst_client):
    params = {"country": "br", "year_from": "2015"}
    rows, _ = walk(analyst_client, "/api/v1/results/", params)
    expected = ResultFilter(params, queryset=results_for_filtering()).qs
    assert [row["id"] for row in rows] == list(expected.values_list("pk", flat=True))
    assert {row["country"]["iso2"] for row in rows} == {"BR"}


@pytest.mark.parametrize("sort", ["-victims_rescued", "victims_rescued", "name", "-period", "countries_named"])
def test_operations_sort_as_the_page_sorts(analyst_client, sort):
    page = analyst_client.get("/operations/", {"sort": sort, "per_page": 250})
    rows, _ = walk(analyst_client, "/api/v1/operations/", {"sort": sort, "page_size": 7})
    assert [row["slug"] for row in rows] == row_keys(page)


@pytest.mark.parametrize("sort", ["-arrests", "year", "country"])
def test_a_cursor_walk_visits_every_result_once_in_the_page_order(analyst_client, sort):
    rows, pages = walk(analyst_client, "/api/v1/results/", {"sort": sort, "page_size": 50})
    assert pages > 1
    ids = [row["id"] for row in rows]
    assert len(ids) == len(set(ids)) == Participation.objects.count()
    if sort == "-arrests":
        values = [row["figures"]["arrests"]["value"] for row in rows]
        known = [value for value in values if value is not None]
        assert known == sorted(known, reverse=True)
        assert values[len(known) :] == [None] * (len(values) - len(known))  # unknown last


def _every_sort(table_class, queryset):
    for name, column in table_class.base_columns.items():
        if column.orderable is not False:
            for sort in (name, f"-{name}"):
                table = table_class(data=queryset)
                table.order_by = sort
                yield sort, table.data.data.query.order_by


@pytest.mark.parametrize(
    ("table_class", "rows"),
    [
        (tables.OperationTable, lambda: queries.operation_rows(queries.operations_for_filtering())),
        (tables.ResultTable, lambda: queries.results_for_filtering()),
        (tables.CountryTable, lambda: queries.country_rows(queries.countries_for_filtering())),
    ],
)
def test_every_sort_of_every_list_page_ends_with_the_primary_key(table_class, rows):
    """Tied rows (results by role, countries by region) come in any order on PostgreSQL without it: a page would
    repeat a row of the previous one and skip another."""
    model = table_class._meta.model
    for sort, order in _every_sort(table_class, rows()):
        last = order[-1]
        name = last.lstrip("-") if isinstance(last, str) else last.expression.name
        assert name == "pk" or model._meta.get_field(name).unique, (sort, order)  # a unique key needs no tie-break


def test_countries_walk_by_total_keeps_unknown_last(analyst_client):
    rows, _ = walk(analyst_client, "/api/v1/countries/", {"sort": "victims_rescued", "page_size": 9})
    values = [row["totals"]["victims_rescued"]["value"] for row in rows]
    known = [value for value in values if value is not None]
    assert known == sorted(known) and values[len(known) :] == [None] * (len(values) - len(known))
    assert len(rows) == Country.objects.filter(total__isnull=False).count()


# --- Bad input -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/operations/?year_from=abc", "year_from"),
        ("/api/v1/operations/?year_from=2020&year_to=2010", "non_field_errors"),
        ("/api/v1/results/?country=XX", "country"),
        ("/api/v1/results/?sort=nope", "sort"),
        ("/api/v1/countries/?updated_since=yesterday", "updated_since"),
        ("/api/v1/operations/?updated_since=0001-01-01T00:00:00%2B05:00", "updated_since"),
        ("/api/v1/operations/?cursor=forged", "cursor"),
        ("/api/v1/operations/?page_size=0", "page_size"),
        ("/api/v1/deletions/?kind=planet", "kind"),
    ],
)
def test_an_invalid_parameter_is_a_400_naming_it(analyst_client, url, field):
    response = analyst_client.get(url)
    assert response.status_code == 400
    body = response.json()
    assert body["detail"]
    assert field in body["errors"] or (field == "non_field_errors" and "__all__" in body["errors"])


def test_a_cursor_from_another_sort_is_refused(analyst_client):
    next_url = analyst_client.get("/api/v1/operations/", {"page_size": 2}).json()["next"]
    cursor = next_url.split("cursor=")[1].split("&")[0]
    response = analyst_client.get(f"/api/v1/operations/?page_size=2&sort=name&cursor={cursor}")
    assert response.status_code == 400 and "cursor" in response.json()["errors"]


@pytest.mark.parametrize(
    "url", ["/api/v1/operations/nope/", "/api/v1/countries/xx/", "/api/v1/sources/99999999/", "/api/v1/nothing"]
)
def test_an_unknown_id_or_path_is_a_json_404(analyst_client, url):
    response = analyst_client.get(url)
    assert response.status_code == 404
    assert response.json()["detail"]


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("logged_in", [True, False])
def test_any_other_method_is_a_405(client, analyst, method, logged_in):
    if logged_in:
        client.force_login(analyst)
    response = getattr(client, method)("/api/v1/operations/")
    assert response.status_code == 405
    assert response.json()["detail"]


def test_head_and_options_are_answered(analyst_client):
    assert analyst_client.head("/api/v1/results/").status_code == 200
    assert analyst_client.options("/api/v1/results/").status_code == 200


# --- Access ----------------------------------------------------------------------------------------------------------


def test_anonymous_gets_a_401_not_a_login_redirect(client, db):
    response = client.get("/api/v1/operations/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_token_reads_the_api_and_its_last_use_is_recorded(client, token):
    response = client.get("/api/v1/results/", {"country": "BR"}, **bearer(token))
    assert response.status_code == 200
    row = ApiToken.objects.get()
    assert row.last_used_at is not None
    # Stored hashed: neither the token nor anything that gives it back is in the database.
    assert row.digest == hashlib.sha256(token.encode()).hexdigest()
    assert token not in {row.prefix, row.digest, row.name}


@pytest.mark.parametrize("header", ["Bearer tot_not-a-real-token", "Bearer", "Token a b", "Bearer \u00e9t\u00e9"])
def test_a_bad_token_is_a_401(client, db, header):
    response = client.get("/api/v1/operations/", HTTP_AUTHORIZATION=header.encode().decode("latin-1"))
    assert response.status_code == 401


def test_a_revoked_token_is_a_401(client, analyst, token):
    from operations.api.tokens import revoke_token

    assert revoke_token(analyst, ApiToken.objects.get().pk)
    assert client.get("/api/v1/operations/", **bearer(token)).status_code == 401


def test_a_deactivated_users_token_is_a_401(client, analyst, token):
    User.objects.filter(pk=analyst.pk).update(is_active=False)
    assert client.get("/api/v1/operations/", **bearer(token)).status_code == 401


def test_the_profile_page_shows_a_new_token_once_and_revokes_it(analyst_client, analyst):
    response = analyst_client.post("/profile/", {"name": "pandas notebook"})
    assert response.status_code == 200
    shown = response.context["new_token"]
    assert shown in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    assert shown not in analyst_client.get("/profile/").content.decode()  # never again
    assert analyst_client.get("/api/v1/", **bearer(shown)).status_code == 200
    token_id = ApiToken.objects.get(user=analyst).pk
    analyst_client.post("/profile/", {"revoke": token_id})
    analyst_client.logout()
    assert analyst_client.get("/api/v1/", **bearer(shown)).status_code == 401


def test_one_user_cannot_revoke_anothers_token(analyst_client, staff_user):
    from operations.api.tokens import create_token

    row, _ = create_token(staff_user, "staff's")
    analyst_client.post("/profile/", {"revoke": row.pk})
    assert ApiToken.objects.get(pk=row.pk).revoked_at is None


def test_bulk_pages_follow_the_export_permission(client, analyst, staff_user):
    client.force_login(analyst)
    assert client.get("/api/v1/results/", {"page_size": 100}).status_code == 200
    assert client.get("/api/v1/results/", {"page_size": 1000}).status_code == 403
    client.force_login(staff_user)
    assert client.get("/api/v1/results/", {"page_size": 1000}).status_code == 200


@pytest.fixture
def three_a_minute():
    from rest_framework.settings import api_settings
    from rest_framework.throttling import SimpleRateThrottle

    original = SimpleRateThrottle.THROTTLE_RATES
    SimpleRateThrottle.THROTTLE_RATES = {**api_settings.DEFAULT_THROTTLE_RATES, "api": "3/minute"}
    yield
    SimpleRateThrottle.THROTTLE_RATES = original


def test_too_many_requests_get_a_429_with_retry_after(client, token, three_a_minute, analyst):
    statuses = [client.get("/api/v1/", **bearer(token)).status_code for _ in range(4)]
    response = client.get("/api/v1/", **bearer(token))
    assert statuses == [200, 200, 200, 429]
    assert response.status_code == 429 and 0 < int(response["Retry-After"]) <= 60
    assert response.json()["detail"]
    client.force_login(analyst)  # the same user's session is another client, with its own count
    assert client.get("/api/v1/").status_code == 200


def test_a_new_window_starts_the_count_again():
    from operations.api.throttling import count_request

    assert [count_request("token-x", 60) for _ in range(3)] == [1, 2, 3]
    assert count_request("token-x", 120) == 1
    assert count_request("token-y", 120) == 1


# --- Incremental sync ------------------------------------------------------------------------------------------------


def test_updated_since_lists_only_what_changed(analyst_client, editor):
    moment = timezone.now()
    assert analyst_client.get("/api/v1/operations/", {"updated_since": moment.isoformat()}).json()["results"] == []
    operation = without_victims()
    brazil = (
        Participation.objects.filter(operation=with_countries(exclude=operation.pk)).select_related("operation").first()
    )
    source = Source.objects.create(publisher="Correction desk", url="https://example.org/correction")
    services.record_figure(
        operation=brazil.operation, participation=brazil, metric="arrests", figure=Figure(3), source=source
    )
    operation.summary = "Corrected summary."
    operation.save()
    since = {"updated_since": moment.isoformat()}
    changed = {row["slug"] for row in analyst_client.get("/api/v1/operations/", since).json()["results"]}
    assert changed == {operation.slug, brazil.operation.slug}
    results = analyst_client.get("/api/v1/results/", since).json()["results"]
    assert brazil.pk in {row["id"] for row in results}
    assert {row["operation"]["slug"] for row in results} == {operation.slug, brazil.operation.slug}
    countries = analyst_client.get("/api/v1/countries/", since).json()["results"]
    assert brazil.country.iso2 in {row["iso2"] for row in countries}
    sources = analyst_client.get("/api/v1/sources/", since).json()["results"]
    assert [row["id"] for row in sources] == [source.pk]


def test_deletions_list_what_a_mirror_must_drop(analyst_client):
    moment = timezone.now() - datetime.timedelta(seconds=1)
    operation = with_countries()
    operation_id, slug, participation_ids = (
        operation.pk,
        operation.slug,
        set(operation.participations.values_list("pk", flat=True)),
    )
    services.delete_operation(operation)
    rows, _ = walk(analyst_client, "/api/v1/deletions/", {"updated_since": moment.isoformat(), "page_size": 3})
    operations = [row for row in rows if row["kind"] == "operation"]
    assert [(row["id"], row["natural_key"]) for row in operations] == [(operation_id, slug)]
    assert {row["id"] for row in rows if row["kind"] == "result"} == participation_ids
    only = analyst_client.get("/api/v1/deletions/", {"kind": "operation"}).json()["results"]
    assert {row["kind"] for row in only} == {"operation"}


def test_a_country_whose_last_result_is_deleted_is_in_the_deletions_until_it_is_back(analyst_client):
    moment = timezone.now() - datetime.timedelta(seconds=1)
    country = Country.objects.filter(total__isnull=True).order_by("iso2").first()  # in no operation yet
    first, second = Operation.objects.order_by("pk")[:2]
    results = [ParticipationFactory(operation=operation, country=country) for operation in (first, second)]
    assert country.iso2 in {row["iso2"] for row in walk(analyst_client, "/api/v1/countries/")[0]}
    services.delete_participation(results[0])
    since = {"updated_since": moment.isoformat(), "kind": "country"}
    assert analyst_client.get("/api/v1/deletions/", since).json()["results"] == []
    last_id = results[1].pk
    services.delete_participation(results[1])
    assert country.iso2 not in {row["iso2"] for row in walk(analyst_client, "/api/v1/countries/")[0]}
    rows = analyst_client.get("/api/v1/deletions/", since).json()["results"]
    assert [(row["kind"], row["id"], row["natural_key"]) for row in rows] == [("country", country.pk, country.iso2)]
    later = Participation.history.filter(history_type="-", id=last_id).get().history_date
    assert rows[0]["deleted_at"] == later.isoformat().replace("+00:00", "Z")
    ParticipationFactory(operation=first, country=country)
    assert analyst_client.get("/api/v1/deletions/", since).json()["results"] == []


def test_every_response_says_its_data_version_and_cites_the_data(analyst_client):
    first = analyst_client.get("/api/v1/results/")
    meta = first.json()["meta"]
    assert first["X-Data-Version"] == meta["data_version"]
    assert meta["citation"]["version_date"] == meta["version_date"][:10]
    assert "[Data set]" in meta["citation"]["apa"] and meta["citation"]["bibtex"].startswith("@misc{")
    Source.objects.create(publisher="A write", url="https://example.org/a-write")
    assert analyst_client.get("/api/v1/results/").json()["meta"]["data_version"] != meta["data_version"]


# --- Feed ------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "es", "fr"])
def test_the_atom_feed_lists_new_operations_and_corrections_per_language(analyst_client, editor, language):
    from xml.etree import ElementTree

    source = Source.objects.create(publisher="Correction desk", url="https://example.org/feed-correction")
    operation = with_victims()
    reported = services.record_figure(operation=operation, metric="arrests", figure=Figure(12), source=source)
    ReportedFigure.history.filter(id=reported.pk).update(history_user=editor)
    response = analyst_client.get(f"/api/v1/feed/{language}.atom")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ElementTree.fromstring(response.content)
    atom = "{http://www.w3.org/2005/Atom}"
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == language
    entries = feed.findall(f"{atom}entry")
    assert entries and entries[0].find(f"{atom}link").get("href").endswith(f"/operations/{operation.slug}/")


def test_the_feed_takes_a_token_and_refuses_anonymous(client, token):
    assert client.get("/api/v1/feed/en.atom").status_code == 401
    assert client.get("/api/v1/feed/en.atom", **bearer(token)).status_code == 200


# --- Query budgets ---------------------------------------------------------------------------------------------------

LISTS = [
    "/api/v1/operations/",
    "/api/v1/operations/?sort=-victims_rescued&country=BR",
    "/api/v1/results/",
    "/api/v1/results/?country=BR&sort=-arrests",
    "/api/v1/countries/?sort=-victims_rescued",
    "/api/v1/sources/",
    "/api/v1/deletions/",
    "/api/v1/operations/{slug}/",
]


@pytest.mark.parametrize("url", LISTS)
@pytest.mark.slow
def test_lists_stay_within_a_constant_query_budget(client, token, url, django_assert_max_num_queries, settings):
    settings.TRACKER_CACHE_SECONDS = 0  # the budget of a page built from the database, not of a cached one

    url = url.format(slug=with_countries().slug)
    client.get(url, **bearer(token))  # the token's last use is written once a minute: not part of the budget
    with django_assert_max_num_queries(8) as before:
        client.get(url, **bearer(token))
    add_synthetic_operations()
    with django_assert_max_num_queries(len(before.captured_queries)):
        assert client.get(url, **bearer(token)).status_code == 200


def test_the_schema_validates_and_lists_every_endpoint(client, db):
    import yaml
    from drf_spectacular.validation import validate_schema

    schema = yaml.safe_load(client.get("/api/v1/schema/").content)
    validate_schema(schema)  # against the OpenAPI 3.0 JSON schema
    assert client.get("/api/v1/schema/", {"format": "json"}).json() == published_schema()  # what the fuzz reads
    assert {
        "/api/v1/operations/",
        "/api/v1/operations/{slug}/",
        "/api/v1/results/",
        "/api/v1/countries/",
        "/api/v1/sources/",
        "/api/v1/deletions/",
    } <= set(schema["paths"])
    assert {parameter["name"] for parameter in schema["paths"]["/api/v1/results/"]["get"]["parameters"]} >= {
        "country",
        "operation",
        "region",
        "year_from",
        "year_to",
        "role",
        "updated_since",
        "sort",
        "cursor",
        "page_size",
        *(f"min_{metric.value}" for metric in METRICS),
    }


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_exports_carry_the_citation_in_their_headers(staff_user, client, export_format):
    client.force_login(staff_user)
    response = client.get("/results/", {"country": "BR", "_export": export_format})
    assert response.status_code == 200
    assert "[Data set]" in response["X-Dataset-Citation"]
    assert response["X-Dataset-Version"] == client.get("/api/v1/").json()["meta"]["citation"]["version_date"]
    assert b"".join(response.streaming_content if response.streaming else [response.content])  # the file, closed


def test_a_first_page_is_cached_under_the_data_version(analyst_client, django_assert_max_num_queries):
    url = "/api/v1/results/?country=BR"
    first = analyst_client.get(url).json()
    with django_assert_max_num_queries(4):  # session, user, data version, and the country filter's choice: no rows
        again = analyst_client.get(url).json()
    assert again == first
    row = Participation.objects.get(pk=first["results"][0]["id"])
    source = Source.objects.create(publisher="Fresh", url="https://example.org/fresh")
    services.record_figure(
        operation=row.operation, participation=row, metric="arrests", figure=Figure(777777), source=source
    )
    fresh = analyst_client.get(url).json()
    assert fresh["meta"]["data_version"] != first["meta"]["data_version"]
    assert fresh["results"][0]["figures"]["arrests"]["value"] == 777777
