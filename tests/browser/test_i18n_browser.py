"""The WEKA II dashboard in Spanish and French in a real browser: switched in the header, remembered, looked at."""

import pytest
from django.contrib.auth.models import User


@pytest.fixture
def logged_in_analyst(seeded, login):
    User.objects.create_user(username="i18n-analyst", password="i18n-pw-123")
    login("i18n-analyst", "i18n-pw-123")


def test_the_header_switcher_turns_the_weka_ii_dashboard_spanish_and_remembers_it(
    logged_in_analyst, live_server, page, screenshot, console_errors
):
    page.goto(f"{live_server.url}/operations/weka-ii/")
    page.get_by_label("Language").select_option("es")
    page.get_by_role("button", name="Go").click()
    page.wait_for_load_state()

    assert page.url == f"{live_server.url}/operations/weka-ii/"  # the same shareable address
    assert page.locator("html").get_attribute("lang") == "es"
    assert page.get_by_role("link", name="Resumen general").is_visible()
    assert page.get_by_role("heading", name="Cifras principales").is_visible()
    victims = page.locator(".figure-card[data-metric='victims_rescued'] .figure-headline")
    assert victims.inner_text().startswith("alrededor de 700")
    assert "de junio de 2022" in page.locator("main").inner_text()
    screenshot("i18n-weka-ii-es")

    page.goto(f"{live_server.url}/")  # remembered on the next page
    assert page.locator("html").get_attribute("lang") == "es"
    assert console_errors == []


def test_the_weka_ii_dashboard_in_french_from_the_language_cookie(
    logged_in_analyst, live_server, page, screenshot, console_errors
):
    page.context.add_cookies([{"name": "django_language", "value": "fr", "url": live_server.url}])
    page.goto(f"{live_server.url}/operations/weka-ii/")

    assert page.locator("html").get_attribute("lang") == "fr"
    assert page.get_by_role("link", name="Vue d’ensemble").is_visible()
    assert page.get_by_role("heading", name="Chiffres principaux").is_visible()
    victims = page.locator(".figure-card[data-metric='victims_rescued'] .figure-headline")
    assert victims.inner_text().startswith("environ 700")
    migrants = page.locator(".figure-card[data-metric='migrants_identified'] .figure-headline")
    assert migrants.inner_text().startswith("environ 4\xa0000")
    assert "12–17 juin 2022" in page.locator("main").inner_text()
    screenshot("i18n-weka-ii-fr")
    assert console_errors == []
