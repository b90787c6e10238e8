"""Shared fixtures: the reference data loaded once per test database, users per role, a client per role."""

import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.management import call_command
from django.utils import translation

from .helpers import fuzzing  # loads the hypothesis profile before any test module builds its settings
from .helpers.users import ROLES, make_user


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the sourced reference data into the test database once; tests run in transactions on top of it."""
    with django_db_blocker.unblock():
        call_command("load_reference", dir=settings.REFERENCE_DIR, stdout=open("/dev/null", "w"))


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with empty caches. Cached pages are keyed by the data version, and a test's writes roll back
    with its transaction, version included: without this, the next test could be served a page rendered from data
    that no longer exists."""
    for cache in caches.all(initialized_only=True):
        cache.clear()


@pytest.fixture(autouse=True)
def english_after_each_test():
    """LocaleMiddleware leaves the last request's language active in the thread: reset it, so one test's Spanish or
    French page never leaks into the next test's English assertions."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def analyst(db):
    return make_user("analyst")


@pytest.fixture
def staff_user(db):
    return make_user("staff")


@pytest.fixture
def editor(db):
    return make_user("editor")


@pytest.fixture
def admin_user(db):
    return make_user("admin")


@pytest.fixture
def analyst_client(client, analyst):
    client.force_login(analyst)
    return client


@pytest.fixture(params=ROLES)
def role_client(request, client, db):
    """A test client logged in as each role in turn (anonymous: not logged in)."""
    user = make_user(request.param)
    if user is not None:
        client.force_login(user)
    client.role = request.param
    return client


def pytest_terminal_summary(terminalreporter):
    """How many inputs the fuzz tests generated in this session, in all and per kind."""
    if fuzzing.GENERATED:
        kinds = ", ".join(f"{kind} {count:,}" for kind, count in sorted(fuzzing.GENERATED.items()))
        terminalreporter.write_line(f"fuzz: {sum(fuzzing.GENERATED.values()):,} generated inputs ({kinds})")
