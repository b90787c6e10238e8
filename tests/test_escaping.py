"""Hostile names are shown as text everywhere: tables, dashboards, chart and map SVG titles, the admin, exports."""

import csv
import io

import pytest
from django.urls import reverse

from operations import services
from operations.figures import Figure
from operations.models import Country, CountryAlias, Operation, Participation, Source

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(2)>'
FORMULA = '=HYPERLINK("http://evil.example","click")'


@pytest.fixture
def hostile():
    """A synthetic operation whose name, source and country alias are attacks."""
    operation = Operation.objects.create(
        name=f"Synthetic {SCRIPT} operation", slug="synthetic-hostile", year=2031, coordinator=IMG, notes=FORMULA
    )
    source = Source.objects.create(publisher=IMG, title=SCRIPT, url="https://example.org/synthetic/hostile")
    brazil = Participation.objects.create(operation=operation, country=Country.objects.get(iso2="BR"), notes=IMG)
    services.record_figure(operation=operation, metric="arrests", figure=Figure(12), source=source, quote=SCRIPT)
    services.record_figure(
        operation=operation, participation=brazil, metric="arrests", figure=Figure(5), source=source, quote=IMG
    )
    CountryAlias.objects.create(country=brazil.country, name=FORMULA)
    return operation


def assert_escaped(html):
    assert SCRIPT not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html or "&lt;script&gt;" in html


@pytest.mark.parametrize(
    "url",
    [
        "/operations/?q=Synthetic",
        "/results/?operation=synthetic-hostile",
        "/countries/br/",
        "/operations/synthetic-hostile/",
        "/operations/synthetic-hostile/?map=arrests",
        "/compare/?operations=synthetic-hostile&operations=libertad",
        "/",
    ],
)
def test_hostile_names_are_escaped_on_every_page(analyst_client, hostile, url):
    response = analyst_client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert SCRIPT not in html and "<img src=x" not in html
    if url != "/" and "countries" not in url:
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_svg_titles_in_the_dashboard_escape_names(analyst_client, hostile):
    html = analyst_client.get("/operations/synthetic-hostile/").content.decode()
    svg_parts = html.split("<svg")[1:]
    assert svg_parts, "the dashboard draws charts"
    for svg in svg_parts:
        assert SCRIPT not in svg and "<img" not in svg


def test_the_admin_shows_hostile_names_as_text(client, admin_user, hostile):
    client.force_login(admin_user)
    for url in [
        reverse("admin:operations_operation_changelist"),
        reverse("admin:operations_operation_change", args=[hostile.pk]),
        reverse("admin:operations_source_changelist"),
        reverse("admin:operations_country_change", args=[Country.objects.get(iso2="BR").pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert SCRIPT not in html and "<img src=x" not in html, url


def test_csv_export_keeps_hostile_text_inert(client, staff_user, hostile):
    client.force_login(staff_user)
    response = client.get("/operations/", {"q": "Synthetic", "_export": "csv"})
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(content, newline="")))
    row = next(row for row in rows if row["operation_slug"] == "synthetic-hostile")
    assert row["operation"] == f"Synthetic {SCRIPT} operation"  # text is text in a CSV; Excel does not run HTML
    assert all(not value.startswith(("=", "+", "@")) for value in row.values())
