"""Interface language: chosen from Accept-Language, switchable and remembered; country names from pycountry."""

import pytest
from django.urls import reverse
from django.utils import translation

from operations.models import Country

pytestmark = pytest.mark.django_db


def test_accept_language_picks_the_interface_language(analyst_client):
    response = analyst_client.get(reverse("operations:home"), headers={"accept-language": "fr-FR,fr;q=0.9"})
    assert '<html lang="fr"' in response.content.decode()


def test_the_switcher_sets_and_remembers_the_language(client):
    response = client.post(reverse("set_language"), {"language": "es", "next": reverse("login")})
    assert response.status_code == 302
    assert response.url == reverse("login")
    assert client.cookies["django_language"].value == "es"
    assert '<html lang="es"' in client.get(reverse("login")).content.decode()


def test_the_switcher_is_on_the_login_page_for_anonymous_users(client):
    html = client.get(reverse("login")).content.decode()
    assert 'name="language"' in html and 'value="fr"' in html


@pytest.mark.parametrize(("language", "expected"), [("en", "Brazil"), ("es", "Brasil"), ("fr", "Brésil")])
def test_country_names_follow_the_interface_language(language, expected):
    brazil = Country.objects.get(iso2="BR")
    with translation.override(language):
        assert str(brazil) == expected
    assert brazil.name == "Brazil"  # the stored English name never changes
