"""A person logs in and sees the operations with their figures as the sources state them."""

from django.contrib.auth.models import User


def test_analyst_logs_in_and_sees_sourced_figures(seeded, live_server, page, login, screenshot, console_errors):
    User.objects.create_user(username="analyst", password="analyst-pw-123")
    login("analyst", "analyst-pw-123")
    assert page.get_by_role("heading", name="Overview", exact=True).is_visible()
    weka_victims = page.locator("tr[data-slug='weka-ii'] td[data-metric='victims_rescued']")
    assert weka_victims.inner_text() == "about 700"
    turquesa_migrants = page.locator("tr[data-slug='turquesa-v'] td[data-metric='migrants_identified']")
    assert turquesa_migrants.inner_text() == "about 12,000"
    # The oldest of the product card's operations is listed too, as its source states it.
    libertad_victims = page.locator("tr[data-slug='libertad'] td[data-metric='victims_rescued']")
    assert libertad_victims.inner_text() == "about 350"
    screenshot("home")
    assert console_errors == []


def test_wrong_password_shows_an_error_and_stays_on_login(seeded, live_server, page, login):
    User.objects.create_user(username="analyst", password="analyst-pw-123")
    login("analyst", "wrong-password")
    assert "/accounts/login/" in page.url
    assert page.locator(".alert-danger, .errorlist, .invalid-feedback").first.is_visible()
