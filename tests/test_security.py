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


def test_failed_logins_lock_one_username_from_one_address_only(client):
    """Issue 16: anyone could lock any known account with five bad logins. The lock is per username AND address, so
    the account's owner logs in from their own address and colleagues behind the same address are not locked."""
    User.objects.create_user(username="victim", password="the-right-password-1")
    User.objects.create_user(username="colleague", password="the-right-password-2")
    for _ in range(5):
        client.post(reverse("login"), {"username": "victim", "password": "wrong"}, REMOTE_ADDR="203.0.113.9")
    locked = client.post(
        reverse("login"), {"username": "victim", "password": "the-right-password-1"}, REMOTE_ADDR="203.0.113.9"
    )
    assert locked.status_code == 429
    assert "PT15M" not in locked.content.decode() and "15 minutes" in locked.content.decode()
    colleague = client.post(
        reverse("login"), {"username": "colleague", "password": "the-right-password-2"}, REMOTE_ADDR="203.0.113.9"
    )
    assert colleague.status_code == 302
    client.logout()
    owner = client.post(
        reverse("login"), {"username": "victim", "password": "the-right-password-1"}, REMOTE_ADDR="198.51.100.7"
    )
    assert owner.status_code == 302


def test_an_administrator_unlocks_a_locked_username(client):
    from django.core.management import call_command

    User.objects.create_user(username="victim", password="the-right-password-1")
    for _ in range(5):
        client.post(reverse("login"), {"username": "victim", "password": "wrong"})
    assert client.post(reverse("login"), {"username": "victim", "password": "the-right-password-1"}).status_code == 429
    call_command("axes_reset_username", "victim", stdout=open("/dev/null", "w"))
    assert client.post(reverse("login"), {"username": "victim", "password": "the-right-password-1"}).status_code == 302


@pytest.mark.parametrize("path", ["/accounts/password_reset/", "/accounts/reset/done/", "/admin/password_reset/"])
def test_no_password_reset_pages_since_no_email_is_configured(client, path):
    assert client.get(path).status_code in (302, 404)
    assert client.post(path, {"email": "someone@example.org"}).status_code in (302, 404)


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


PAGE_SECURITY_HEADERS = ["Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy"]


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_exports_carry_the_pages_security_headers_and_are_not_cached(client, staff_user, export_format):
    client.force_login(staff_user)
    response = client.get("/operations/", {"_export": export_format})
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert all(response.has_header(name) for name in PAGE_SECURITY_HEADERS)


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        (b"NOT A REQUEST LINE\r\n\r\n", 400),
        (b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"x" * 9000 + b"\r\n\r\n", 431),
        (b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", 414),
    ],
)
@pytest.mark.slow
def test_gunicorns_own_error_pages_carry_the_security_and_cache_headers(tmp_path, raw, status):
    """What gunicorn answers itself, before Django sees the request, with the repo's gunicorn.conf.py."""
    import socket

    listener = socket.create_server(("127.0.0.1", 0))  # bound here and handed over: no waiting for gunicorn to bind
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "trafficking_ops.settings",
        "SECRET_KEY": "gunicorn-test-only-" + "x" * 40,
        "SECURE_HSTS_SECONDS": "3600",
        "GUNICORN_WORKERS": "1",
        "GUNICORN_ACCESS_LOG": str(tmp_path / "access.log"),
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [str(gunicorn), "trafficking_ops.wsgi", "-c", "gunicorn.conf.py", "--bind", f"fd://{listener.fileno()}"],
        pass_fds=[listener.fileno()],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with socket.create_connection(listener.getsockname(), timeout=60) as sock:
            sock.sendall(raw)
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
    finally:
        server.terminate()
        server.wait(timeout=30)
        listener.close()
    head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    assert head.startswith(f"HTTP/1.1 {status} ")
    headers = dict(line.split(": ", 1) for line in head.split("\r\n")[1:])
    assert all(name in headers for name in PAGE_SECURITY_HEADERS), headers
    assert headers["Cache-Control"] == "no-store" and headers["X-Frame-Options"] == "DENY"
    assert headers["Strict-Transport-Security"].startswith("max-age=3600")
