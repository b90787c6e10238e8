"""An operation resting on one unchecked secondary report (is_verified=False) says so wherever it appears, and every
export has a `verified` column."""

import csv
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from operations import services
from operations.figures import Figure
from operations.models import Country, Operation, Participation, Source

from .helpers.users import make_user

pytestmark = pytest.mark.django_db

BADGE = re.compile(r'<span class="badge text-bg-warning unverified-badge"[^>]*>unverified</span>')


@pytest.fixture
def pair():
    """Two synthetic operations in the same country and year, one unverified."""
    source = Source.objects.create(publisher="Synthetic wire", url="https://example.org/synthetic-unverified")
    country = Country.objects.get(iso2="SR")  # Suriname: no reference operation names it
    operations = {}
    for slug, verified in [("synthetic-unchecked", False), ("synthetic-checked", True)]:
        operation = Operation.objects.create(
            name=f"Synthetic {slug[10:]} operation", slug=slug, year=2099, is_verified=verified
        )
        participation = Participation.objects.create(operation=operation, country=country)
        services.record_figure(
            operation=operation, participation=participation, metric="arrests", figure=Figure(5), source=source
        )
        operations[slug] = operation
    return operations


def row_of(html, attribute, slug):
    return re.search(rf'<tr [^>]*{attribute}="{slug}"[^>]*>(.*?)</tr>', html, re.S).group(1)


@pytest.mark.parametrize(
    ("url", "attribute"),
    [
        ("/operations/?year_from=2099", "data-slug"),
        ("/results/?year_from=2099", "data-operation"),
        ("/countries/sr/", "data-operation"),
        ("/?year_from=2099", "data-slug"),
    ],
)
def test_lists_badge_the_unverified_operation_and_not_the_verified_one(analyst_client, pair, url, attribute):
    html = analyst_client.get(url).content.decode()

    assert BADGE.search(row_of(html, attribute, "synthetic-unchecked"))
    assert not BADGE.search(row_of(html, attribute, "synthetic-checked"))


def test_compare_badges_the_unverified_operation_in_its_column_heading(analyst_client, pair):
    html = analyst_client.get(
        reverse("operations:compare"), {"operations": ["synthetic-unchecked", "synthetic-checked"]}
    ).content.decode()
    headings = dict(re.findall(r'<th scope="col" data-slug="([\w-]+)">(.*?)</th>', html, re.S))

    assert BADGE.search(headings["synthetic-unchecked"])
    assert not BADGE.search(headings["synthetic-checked"])


def test_dashboards_badge_the_unverified_operation(analyst_client, pair):
    unchecked = analyst_client.get(reverse("operations:operation_detail", args=["synthetic-unchecked"]))
    checked = analyst_client.get(reverse("operations:operation_detail", args=["synthetic-checked"]))

    assert BADGE.search(re.search(r"<h1.*?</h1>", unchecked.content.decode(), re.S).group(0))
    assert not BADGE.search(checked.content.decode())


def read_export(response):
    content = b"".join(response.streaming_content)
    if response["Content-Type"].startswith("text/csv"):
        return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    header, *rows = load_workbook(io.BytesIO(content), read_only=True).active.iter_rows(values_only=True)
    return [dict(zip(header, row, strict=False)) for row in rows]


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("/operations/?year_from=2099", "operation_slug"),
        ("/results/?year_from=2099", "operation_slug"),
        ("/countries/sr/?", "operation_slug"),
    ],
)
def test_every_export_has_a_verified_column_saying_true_or_false(client, pair, url, key, export_format):
    client.force_login(make_user("staff"))
    rows = read_export(client.get(f"{url}&_export={export_format}"))

    assert {row[key]: row["verified"] for row in rows if row[key].startswith("synthetic-")} == {
        "synthetic-unchecked": "false",
        "synthetic-checked": "true",
    }


def test_compares_selection_list_names_the_unverified_operation_as_such(analyst_client, pair):
    html = analyst_client.get(reverse("operations:compare"), {"find": "Synthetic"}).content.decode()
    options = dict(re.findall(r'<option value="(synthetic-[\w-]+)"[^>]*>(.*?)</option>', html))

    assert options == {
        "synthetic-unchecked": "Synthetic unchecked operation (unverified)",
        "synthetic-checked": "Synthetic checked operation",
    }
