"""Browser tests: Playwright drives Debian's headless Chromium against pytest-django's live server."""

import os
import shutil
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command

from operations.countries import sync_countries
from operations.models import EXPLOITATION_FORMS, Country, CountryAlias, ExploitationForm
from operations.roles import sync_role_groups

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from tests.helpers.pages import ARTIFACTS

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items):
    """Mark the tests of this folder `browser`. The hook sees every test of the session, so it filters by path:
    marking them all made `pytest -m "not browser"` select nothing."""
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": shutil.which("chromium"),
        # No network here but loopback: keep Chromium from reaching for Google's services at start.
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
    }


@pytest.fixture
def seeded(transactional_db):
    """Transactional tests start from a flushed database: put back what migrations and load_reference provide."""
    if not Country.objects.exists():
        sync_countries(Country, CountryAlias)
        for slug, name in EXPLOITATION_FORMS:
            ExploitationForm.objects.get_or_create(slug=slug, defaults={"name": str(name)})
    sync_role_groups(apps)
    call_command("load_reference", stdout=open(os.devnull, "w"))


@pytest.fixture
def screenshot(page):
    """Save a full-page screenshot under test-artifacts/screenshots/NAME.png and return its path."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def take(name):
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def console_errors(page):
    """Console errors and page errors collected during the test (CSP violations show up here too)."""
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


@pytest.fixture
def login(page, live_server):
    def log_in(username, password):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state()

    return log_in
