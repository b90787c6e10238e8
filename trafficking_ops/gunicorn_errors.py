"""The error pages gunicorn itself writes (a malformed request line, headers too large, an application that failed
before Django answered), sent with the security and cache headers Django's pages carry."""

import html

from django.core.exceptions import ImproperlyConfigured
from gunicorn import util


def security_headers() -> list[tuple[str, str]]:
    """What SecurityMiddleware, the CSP middleware and XFrameOptionsMiddleware add to pages, for a page that loads
    nothing: its CSP allows nothing at all. Read from Django's settings (loaded in the worker by then)."""
    from django.conf import settings

    headers = [
        ("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"),
        ("X-Content-Type-Options", "nosniff"),
        ("X-Frame-Options", settings.X_FRAME_OPTIONS),
        ("Referrer-Policy", settings.SECURE_REFERRER_POLICY),
        ("Cross-Origin-Opener-Policy", settings.SECURE_CROSS_ORIGIN_OPENER_POLICY),
        ("Cache-Control", "no-store"),
    ]
    if settings.SECURE_HSTS_SECONDS:
        hsts = f"max-age={settings.SECURE_HSTS_SECONDS}"
        hsts += "; includeSubDomains" if settings.SECURE_HSTS_INCLUDE_SUBDOMAINS else ""
        hsts += "; preload" if settings.SECURE_HSTS_PRELOAD else ""
        headers.append(("Strict-Transport-Security", hsts))
    return headers


def write_error(sock, status_int, reason, mesg):
    """gunicorn.util.write_error with the headers above (same page, same status)."""
    page = (
        f"<!doctype html>\n<html><head><title>{html.escape(reason)}</title></head>"
        f"<body><h1>{html.escape(reason)}</h1>{html.escape(mesg)}</body></html>\n"
    ).encode()
    try:
        headers = security_headers()
    except ImproperlyConfigured:  # no Django settings (yet): still answer, with the headers that need none
        headers = [("X-Content-Type-Options", "nosniff"), ("X-Frame-Options", "DENY"), ("Cache-Control", "no-store")]
    head = f"HTTP/1.1 {status_int} {reason}\r\nConnection: close\r\nContent-Type: text/html; charset=utf-8\r\n"
    head += f"Content-Length: {len(page)}\r\n" + "".join(f"{name}: {value}\r\n" for name, value in headers) + "\r\n"
    util.write_nonblock(sock, head.encode("latin-1") + page)


def install():
    """Called from gunicorn.conf.py: gunicorn's workers call util.write_error for every error page they write."""
    util.write_error = write_error
