"""TrackerTable.rows_html, the fast table body, writes the same rows as django-tables2's own per-cell template."""

import itertools
import re

import pytest
from django.template.loader import get_template
from django.utils import translation

from tests.factories import OperationFactory
from tests.helpers.pages import row_keys

pytestmark = pytest.mark.django_db

PAGES = [
    "/operations/",
    "/operations/?sort=-victims_rescued&page=2&per_page=25",
    "/operations/?sort=period",
    "/results/",
    "/results/?country=BR&sort=-arrests",
    "/countries/",
    "/countries/?sort=-victims_rescued",
]


def tables2_body(table, request):
    """The <tbody> of the table as tables2's Bootstrap 5 template renders it, cell by cell."""
    table._counter = itertools.count()  # tables2 numbers rows (odd/even) per table, not per rendering
    html = get_template("django_tables2/bootstrap5.html").render({"table": table, "request": request})
    return html.split("<tbody", 1)[1].split(">", 1)[1].split("</tbody>", 1)[0]


def squeezed(html):
    """Whitespace between tags dropped: the template indents, rows_html does not."""
    return re.sub(r">\s+<", "><", html).strip()


@pytest.mark.parametrize("language", ["en", "es", "fr"])
@pytest.mark.parametrize("url", PAGES)
def test_rows_html_writes_the_rows_tables2_writes(analyst_client, url, language):
    response = analyst_client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    table = response.context["table"]
    with translation.override(language):
        expected = squeezed(tables2_body(table, response.wsgi_request))
        table._counter = itertools.count()
        fast = squeezed(table.rows_html())
    assert len(row_keys(response, "class")) > 0  # the page has rows: an empty table would prove nothing
    assert fast == expected


def test_rows_html_escapes_what_tables2_escapes(analyst_client):
    """A name with markup is written as text by both paths."""
    OperationFactory(year=2098, name="<b>Bold & Co</b>")
    response = analyst_client.get("/operations/?year=2098")
    table = response.context["table"]
    expected = squeezed(tables2_body(table, response.wsgi_request))
    table._counter = itertools.count()
    fast = squeezed(table.rows_html())
    assert "&lt;b&gt;Bold &amp; Co&lt;/b&gt;" in fast
    assert fast == expected
