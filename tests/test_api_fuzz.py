"""Schemathesis fuzzes every API endpoint against the schema the API publishes: no 5xx, every response as documented.

Runs on whichever database DATABASE_URL names (SQLite by default; CI runs the suite on PostgreSQL too). Derandomized
(tests/fuzzing.py's profile), so a red run replays; HYPOTHESIS_PROFILE=deep runs ten times as many requests."""

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from operations.api.throttling import PerTokenRateThrottle
from operations.api.tokens import create_token
from trafficking_ops.wsgi import application

from .helpers.api import published_schema
from .helpers.fuzzing import SETTINGS, examples, tally

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# Hypothesis examples per endpoint: about 300 requests each, positive and negative cases and schemathesis's coverage
# phase together (1,544 requests for 9 endpoints at 100).
REQUESTS = examples(200)

pytestmark = pytest.mark.slow


@pytest.fixture
def wsgi_requests_keep_the_test_transaction():
    """Schemathesis calls the WSGI application itself: as Django's test client does, keep request signals from
    closing the connection that holds the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(analyst, wsgi_requests_keep_the_test_transaction, monkeypatch):
    # Hundreds of requests from one token: the fuzz is about answers, not about the rate limit (test_api.py's job).
    monkeypatch.setattr(PerTokenRateThrottle, "THROTTLE_RATES", {"api": "1000000/hour"})
    cache.clear()
    return create_token(analyst, "fuzz")[1]


schema = schemathesis.openapi.from_dict(published_schema())
schema.app = application


@schema.parametrize()
@settings(SETTINGS, max_examples=REQUESTS)
def test_every_endpoint_answers_as_its_schema_says_and_never_5xx(db, case, token):
    tally(f"API {case.operation.label}")
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)
