"""Every URL the app serves × every role: discovered from the URLconf, so a new page cannot be forgotten."""

import pytest
from django.contrib import admin
from django.urls import URLResolver, get_resolver, reverse

from .helpers.urls import SAMPLE_KWARGS, app_urls
from .helpers.users import ROLES

OPEN_PAGES = {"login", "healthz"}  # the only pages an anonymous user may see
ADMIN_ROLES = {"editor", "admin"}
EXPORT_ROLES = {"staff", "editor", "admin"}


def test_every_app_route_is_covered_by_the_matrix():
    names = {name for name, _ in app_urls()}
    assert {"home", "operation_list", "operation_detail", "result_list", "country_list", "compare"} <= names


@pytest.mark.parametrize(("name", "url"), app_urls())
def test_app_pages_need_a_login_and_are_open_to_every_role(role_client, name, url):
    response = role_client.get(url)
    if role_client.role == "anonymous":
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    else:
        assert response.status_code == 200, f"{role_client.role} {url}"


LIST_PAGES = ["operations:operation_list", "operations:result_list", "operations:country_list"]


@pytest.mark.parametrize("name", LIST_PAGES + ["operations:country_detail"])
def test_csv_export_is_for_staff_editors_and_superusers_only(role_client, name):
    kwargs = {"iso2": "br"} if name.endswith("country_detail") else {}
    response = role_client.get(reverse(name, kwargs=kwargs), {"_export": "csv"})
    if role_client.role == "anonymous":
        assert response.status_code == 302
    elif role_client.role in EXPORT_ROLES:
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
    else:
        assert response.status_code == 403


def admin_urls():
    urls = [reverse("admin:index")]
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        urls.append(reverse("admin:{}_{}_changelist".format(*info)))
    return urls


@pytest.mark.parametrize("url", admin_urls())
def test_admin_is_for_editors_and_superusers_only(role_client, url):
    response = role_client.get(url)
    if role_client.role in ADMIN_ROLES:
        assert response.status_code in (200, 403), url  # 403: an editor without view rights on, e.g., auth users
        if url == reverse("admin:index") or "/operations/" in url:
            assert response.status_code == 200, url
    else:
        assert response.status_code == 302
        assert "/login/" in response.url


@pytest.mark.parametrize("url", ["/healthz", "/accounts/login/"])
def test_only_healthz_and_login_are_open_to_anonymous(client, db, url):
    assert client.get(url).status_code == 200


def test_roles_fixture_covers_every_role():
    assert ROLES == ["anonymous", "analyst", "staff", "editor", "admin"]


# --- The API (/api/v1/): the same roles, by session or by personal token ------------------------------------------

OPEN_API = {"schema", "docs"}  # they describe the API, not the data


def api_urls():
    """(name, route kwargs) for every named route of the API; values are filled in by the test (a source's id)."""
    resolver = next(p for p in get_resolver().url_patterns if isinstance(p, URLResolver) and p.namespace == "api")
    return [(route.name, list(route.pattern.regex.groupindex)) for route in resolver.url_patterns if route.name]


def api_url(name, params):
    from operations.models import Source

    values = {**SAMPLE_KWARGS, "language": "es", "pk": str(Source.objects.order_by("pk").first().pk)}
    return reverse(f"api:{name}", kwargs={key: values[key] for key in params})


def test_every_api_route_is_covered_by_the_matrix():
    names = {name for name, _ in api_urls()}
    assert {"root", "operations", "operation", "results", "countries", "country", "sources", "deletions"} <= names
    assert {"schema", "docs", "feed"} <= names


@pytest.mark.parametrize(("name", "params"), api_urls())
@pytest.mark.parametrize("by", ["session", "token"])
def test_api_needs_a_session_or_a_token_and_is_open_to_every_role(role_client, name, params, by):
    from django.contrib.auth.models import User

    from operations.api.tokens import create_token

    headers = {}
    if by == "token" and role_client.role != "anonymous":
        user = User.objects.get(username=f"{role_client.role}-user")  # conftest.make_user's names
        headers["HTTP_AUTHORIZATION"] = f"Bearer {create_token(user, 'matrix')[1]}"
        role_client.logout()
    response = role_client.get(api_url(name, params), **headers)
    if role_client.role == "anonymous" and name not in OPEN_API:
        assert response.status_code == 401, name
    else:
        assert response.status_code == 200, f"{role_client.role} {by} {name}"


def test_api_bulk_pages_are_for_the_roles_that_export(role_client):
    response = role_client.get(reverse("api:results"), {"page_size": 1000})
    if role_client.role == "anonymous":
        assert response.status_code == 401
    elif role_client.role in EXPORT_ROLES:
        assert response.status_code == 200
    else:
        assert response.status_code == 403
