"""Every page runs a constant number of queries (at most 11), whatever the amount of data: no query per row."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.helpers.synthetic import add_synthetic_operations

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def uncached(settings):
    """The budget is for a page rendered from the database; a cached rendering (test_caching.py) runs fewer."""
    settings.TRACKER_CACHE_SECONDS = 0


# 10, and the data version row the "Cite this" footer reads (with caching on, the cache key reads that same row once).
BUDGET = 11
PAGES = [
    "/",
    "/operations/",
    "/operations/?sort=-victims_rescued",
    "/operations/storm-makers/",
    "/results/",
    "/results/?country=BR&sort=-victims_rescued",
    "/countries/",
    "/countries/?sort=-victims_rescued",
    "/countries/br/",
    "/compare/?operations=storm-makers&operations=liberterra",
]


def queries_for(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


@pytest.mark.slow
@pytest.mark.parametrize("url", PAGES)
def test_every_page_stays_within_its_query_budget_whatever_the_data(analyst_client, url):
    before = queries_for(analyst_client, url)
    add_synthetic_operations()
    after = queries_for(analyst_client, url)
    assert after == before
    assert after <= BUDGET
