"""Deployment hardening: check --deploy, security headers and CSP, login throttling, friendly error pages."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import RequestFactory
from django.urls import reverse

from operations.views import server_error

pytestmark = pytest.mark.django_db
REPO = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_check_deploy_is_clean_with_production_settings():
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for Playwright; a deployment never would.
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "trafficking_ops.settings",
        "DEBUG": "0",
        "SECRET_KEY": "a-long-production-like-secret-key-" + "x" * 40,
        "ALLOWED_HOSTS": "tracker.example.org",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_settings_refuse_to_start_without_a_secret_key_when_debug_is_off():
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG"}}
    env["DJANGO_SETTINGS_MODULE"] = "trafficking_ops.settings"
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=REPO, env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_pages_carry_security_headers_and_a_strict_csp(analyst_client):
    response = analyst_client.get(reverse("operations:home"))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert re.search(r"script-src 'self'(;| 'nonce-[^']+')", csp)  # the nonce appears only when a page uses it
    assert "style-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_no_inline_script_or_style_on_the_home_page(analyst_client):
    html = analyst_client.get(reverse("operations:home")).content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*\bnonce=)", html)
    assert " style=" not in html and "<style" not in html


def test_repeated_failed_logins_lock_the_account_with_a_clear_message(client):
    User.objects.create_user(username="victim", password="the-right-password-1")
    for _ in range(4):
        response = client.post(reverse("login"), {"username": "victim", "password": "wrong"})
        assert response.status_code == 200
        assert "correct username and password" in response.content.decode()
    assert client.post(reverse("login"), {"username": "victim", "password": "wrong"}).status_code == 429  # 5th
    locked = client.post(reverse("login"), {"username": "victim", "password": "the-right-password-1"})
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.content.decode()
    assert "_auth_user_id" not in client.session


def test_failed_logins_from_one_address_lock_that_address_for_other_accounts(client):
    for attempt in range(4):
        client.post(reverse("login"), {"username": f"guess-{attempt}", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "someone-else", "password": "wrong"})
    assert response.status_code == 429


def test_not_found_page_is_friendly_and_gives_a_request_id(analyst_client):
    response = analyst_client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert response["X-Request-ID"] in html
    assert "Traceback" not in html


def test_server_error_page_leaks_nothing():
    request = RequestFactory().get("/")
    request.request_id = "abcdef0123456789"
    request.user = User(username="x")
    response = server_error(request)
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong" in html and "abcdef0123456789" in html
    assert "Traceback" not in html and "SECRET" not in html


def test_healthz_says_only_ok(client):
    response = client.get("/healthz")
    assert response.json() == {"status": "ok"}
    assert response["Cache-Control"].startswith("max-age=0")
