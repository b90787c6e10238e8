"""Fetching a source by URL: a real HTTP server on 127.0.0.1 answers; the SSRF guard refuses every address that is
not public (loopback included: only these tests widen the allowed networks, to 127.0.0.1/32, for their own server)."""

import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse

from operations.drafting.fetch import FetchError, check_address, fetch
from operations.drafting.sources import MAX_SOURCE_BYTES

DRAFT = reverse("admin:operations_operation_draft")

PAGE = b"""<!doctype html><html lang="en"><head><title>Synthetic Kestrel results</title>
<meta property="og:site_name" content="Synthetic Police Agency">
<meta property="article:published_time" content="2025-03-14"></head>
<body><header>Menu</header><article><h1>Operation Synthetic Kestrel</h1>
<p>Operation Synthetic Kestrel, carried out from 2 to 6 March, led to 75 arrests and the rescue of some 230 victims
in nine countries.</p><p>Police in Peru rescued 48 victims.</p></article><footer>Contact</footer></body></html>"""


class Handler(BaseHTTPRequestHandler):
    release = threading.Event()  # the slow page answers only when the test is over

    def do_GET(self):  # noqa: N802 (http.server's name)
        port = self.server.server_address[1]
        routes = {
            "/release.html": (200, {"Content-Type": "text/html; charset=utf-8"}, PAGE),
            "/missing": (404, {"Content-Type": "text/html"}, b"<html><body>Not here</body></html>"),
            "/moved": (302, {"Location": "/release.html"}, b""),
            "/to-private": (302, {"Location": f"http://127.0.0.2:{port}/release.html"}, b""),
            "/to-metadata": (302, {"Location": "http://169.254.169.254/latest/meta-data/"}, b""),
            "/loop": (302, {"Location": "/loop"}, b""),
            "/report.pdf": (200, {"Content-Type": "application/pdf"}, b"%PDF-1.7 binary"),
            "/huge": (200, {"Content-Type": "text/html"}, b"<html>" + b"x" * (MAX_SOURCE_BYTES + 10)),
        }
        if self.path == "/slow":
            self.release.wait(10)
            routes["/slow"] = (200, {"Content-Type": "text/html"}, PAGE)
        status, headers, body = routes.get(self.path, (404, {}, b""))
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client stopped reading (size limit): that is the point

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    Handler.release.clear()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    Handler.release.set()
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def local_allowed(settings):
    """Allow this test's own server, and nothing more: 127.0.0.2 stays refused."""
    settings.DRAFTING_FETCH_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    settings.DRAFTING_FETCH_TIMEOUT = 1
    return settings


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "::1",
        "fe80::1",
        "fc00::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
    ],
)
def test_addresses_off_the_public_internet_are_refused(address):
    with pytest.raises(FetchError, match="not on the public internet"):
        check_address(address)


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c", "1.1.1.1"])
def test_public_addresses_pass(address):
    check_address(address)


def test_the_loopback_server_is_refused_without_the_test_setting(server):
    with pytest.raises(FetchError, match="not on the public internet"):
        fetch(f"{server}/release.html")


def test_a_page_is_fetched_and_a_redirect_followed(server, local_allowed):
    fetched = fetch(f"{server}/moved")
    assert fetched.url == f"{server}/release.html"
    assert fetched.content == PAGE and fetched.content_type == "text/html"


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("/missing", "answered 404"),
        ("/to-private", "not on the public internet (127.0.0.2)"),
        ("/to-metadata", "not on the public internet (169.254.169.254)"),
        ("/loop", "redirects more than 5 times"),
        ("/huge", "larger than 2 MB"),
        ("/slow", "took more than 1 seconds"),
    ],
)
def test_bad_answers_are_refused_with_a_reason(server, local_allowed, path, words):
    with pytest.raises(FetchError, match=re.escape(words)):
        fetch(f"{server}{path}")


@pytest.mark.django_db
def test_editor_gives_a_url_and_reviews_the_page_with_its_metadata(client, editor, server, local_allowed):
    client.force_login(editor)
    response = client.post(DRAFT, {"url": f"{server}/release.html"})
    assert response.status_code == 200
    review = response.context["review"]
    assert review["source_url"].value() == f"{server}/release.html"
    assert review["source_publisher"].value() == "Synthetic Police Agency"
    assert str(review["source_published"].value()) == "2025-03-14"
    assert review["name"].value() == "Synthetic Kestrel"
    assert str(review["start_date"].value()) == "2025-03-02"  # the text's "2 to 6 March", the year from the page
    assert "The year is the page’s own date: check it." in response.content.decode()
    figures = {
        (f["metric"].value(), f["value"].value(), f["qualifier"].value(), f["country"].value())
        for f in response.context["figure_forms"].forms
    }
    assert figures == {
        ("arrests", 75, "exact", ""),
        ("victims_rescued", 230, "approx", ""),
        ("victims_rescued", 48, "exact", "PE"),
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "words"),
    [("/missing", "answered 404"), ("/to-private", "not on the public internet"), ("/report.pdf", "not a web page")],
)
def test_bad_urls_are_form_errors_not_500(client, editor, server, local_allowed, path, words):
    client.force_login(editor)
    response = client.post(DRAFT, {"url": f"{server}{path}"})
    assert response.status_code == 400
    assert words in response.content.decode()
