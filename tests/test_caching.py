"""Rendered tables are cached under the data version: a repeat of the same URL skips the table's queries, and no
write (service, admin, plain ORM save) ever leaves a page showing what it showed before the write."""

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from operations import caching, services
from operations.figures import Figure
from operations.models import Source

from .factories import synthetic_operations
from .helpers.admin_forms import change_url, errors_of, form_data
from .helpers.pages import cells, row_keys, text

pytestmark = pytest.mark.django_db


def table_of(response):
    return re.search(r"<table.*</table>", response.content.decode(), re.S).group(0)


def get(client, url, **params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200, url
    return response, len(queries)


@pytest.mark.parametrize(
    "url", ["/operations/?sort=-arrests", "/results/?country=BR", "/countries/?region=Americas", "/countries/br/"]
)
def test_a_repeated_page_is_served_from_the_cache_with_the_same_html(analyst_client, url):
    synthetic_operations(3, figures=lambda i: {"arrests": Figure(10 + i)})  # a fresh data version
    first, first_queries = get(analyst_client, url)
    second, second_queries = get(analyst_client, url)
    assert table_of(second) == table_of(first)  # the rest of the page differs: a fresh CSRF token each time
    assert second_queries <= first_queries - 2  # at least the count/totals and the page of rows are skipped


def test_a_figure_recorded_through_the_services_shows_at_once(analyst_client):
    [operation] = synthetic_operations(1, figures=lambda i: {"arrests": Figure(5)})
    url = "/operations/?year_from=2099"
    assert cells(get(analyst_client, url)[0], "arrests") == ["5"]
    source = Source.objects.get(url="https://example.org/synthetic")
    services.record_figure(
        operation=operation, metric="arrests", figure=Figure(700, "approx"), source=source, preferred=True
    )
    assert cells(get(analyst_client, url)[0], "arrests") == ["about 700"]


def test_an_admin_edit_shows_at_once(analyst_client, editor):
    [operation] = synthetic_operations(1, figures=lambda i: {"arrests": Figure(5)})
    url = "/operations/?year_from=2099"
    assert cells(get(analyst_client, url)[0], "arrests") == ["5"]
    editor_client = Client()
    editor_client.force_login(editor)
    change = change_url(operation)
    data = form_data(editor_client.get(change))
    data.update(name="Synthetic operation renamed")
    response = editor_client.post(change, data)
    assert response.status_code == 302, errors_of(response)
    page = get(analyst_client, url)[0]
    assert "Synthetic operation renamed" in text(page.content.decode())


def test_a_plain_orm_save_shows_at_once(analyst_client):
    [operation] = synthetic_operations(1)
    url = "/operations/?year_from=2099"
    assert "Synthetic operation 2099-000" in text(get(analyst_client, url)[0].content.decode())
    version = caching.data_version()
    operation.name = "Synthetic operation saved in a shell"
    operation.save()
    assert caching.data_version() != version
    assert "Synthetic operation saved in a shell" in text(get(analyst_client, url)[0].content.decode())


def test_each_language_has_its_own_cached_rendering(analyst_client):
    url = "/results/?country=BR"
    english = get(analyst_client, url)[0].content.decode()
    analyst_client.cookies["django_language"] = "es"
    spanish = get(analyst_client, url)[0].content.decode()
    assert "Brasil" in spanish and "Brasil" not in english


def test_rows_of_the_cached_page_follow_a_deleted_operation(analyst_client):
    operations = synthetic_operations(2)
    url = "/operations/?year_from=2099"
    assert len(row_keys(get(analyst_client, url)[0])) == 2
    services.delete_operation(operations[0])
    assert row_keys(get(analyst_client, url)[0]) == [operations[1].slug]


def test_no_caching_when_turned_off(analyst_client, settings):
    settings.TRACKER_CACHE_SECONDS = 0
    _, first_queries = get(analyst_client, "/results/?country=BR")
    _, second_queries = get(analyst_client, "/results/?country=BR")
    assert second_queries == first_queries


@pytest.mark.parametrize(
    "url",
    [
        "/",
        "/?year_from=2099",
        "/operations/synthetic-2099-000/",
        "/compare/?operations=synthetic-2099-000&operations=synthetic-2099-001",
    ],
)
def test_overview_dashboard_and_compare_show_a_change_at_once(analyst_client, url):
    first, second = synthetic_operations(2, figures=lambda i: {"victims_rescued": Figure(10 + i)})
    get(analyst_client, url)  # now cached
    cached, cached_queries = get(analyst_client, url)
    first.name = "Synthetic operation renamed after caching"
    first.save()
    source = Source.objects.get(url="https://example.org/synthetic")
    services.record_figure(
        operation=first, metric="victims_rescued", figure=Figure(4321), source=source, preferred=True
    )
    response, fresh_queries = get(analyst_client, url)
    assert fresh_queries > cached_queries  # it was served from the cache before the write, not after
    html = text(response.content.decode())
    if url == "/":  # all operations: the victims total grew by 4,311
        assert without_print_date(html) != without_print_date(text(cached.content.decode()))
    else:
        assert "Synthetic operation renamed after caching" in html
        assert "4,321" in html or "4,332" in html  # the figure itself, or the 2099 total including it


def without_print_date(page_text):
    return page_text.split("Printed from")[0]


def test_the_cache_keeps_large_values_compressed_and_gives_back_every_value_as_stored():
    from django.core.cache import cache

    from trafficking_ops.cache import COMPRESS_FROM

    page = "<tr><td>Synthetic operation</td><td>1,234</td></tr>" * 2000
    values = {"page": page, "small": ["throttle", 1.5], "none": None, "count": 3}
    for key, value in values.items():
        cache.set(f"test-compressed-{key}", value)
    assert {key: cache.get(f"test-compressed-{key}", "missing") for key in values} == values
    assert cache.get("test-compressed-absent", "missing") == "missing"
    stored = cache._cache[cache.make_and_validate_key("test-compressed-page")]
    assert len(page) > COMPRESS_FROM and len(stored) < len(page) / 10  # what the process holds for the page
    assert cache.add("test-compressed-page", "other") is False and cache.get("test-compressed-page") == page
    assert cache.incr("test-compressed-count", 2) == 5 and cache.get("test-compressed-count") == 5
    assert cache.get_many(["test-compressed-small", "test-compressed-absent"]) == {
        "test-compressed-small": ["throttle", 1.5]
    }
