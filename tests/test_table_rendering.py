"""TrackerTable.rows_html, the fast table body, writes the same rows as django-tables2's own per-cell template."""

import itertools
import re

import pytest
from django.template.loader import get_template
from django.utils import translation

from operations.tables import TrackerTable
from tests.factories import OperationFactory
from tests.helpers.pages import row_keys

pytestmark = pytest.mark.django_db


@pytest.fixture
def rendered_tables(monkeypatch):
    """The tables the page wrote (TrackerTable.as_html builds the HTML in Python: no template context holds them)."""
    tables = []
    as_html = TrackerTable.as_html

    def recording(self, request):
        tables.append(self)
        return as_html(self, request)

    monkeypatch.setattr(TrackerTable, "as_html", recording)
    return tables


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
def test_rows_html_writes_the_rows_tables2_writes(analyst_client, rendered_tables, url, language):
    response = analyst_client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    table = rendered_tables[-1]
    with translation.override(language):
        expected = squeezed(tables2_body(table, response.wsgi_request))
        table._counter = itertools.count()
        fast = squeezed(table.rows_html())
    assert len(row_keys(response, "class")) > 0  # the page has rows: an empty table would prove nothing
    assert fast == expected


def test_rows_html_escapes_what_tables2_escapes(analyst_client, rendered_tables):
    """A name with markup is written as text by both paths."""
    OperationFactory(year=2098, name="<b>Bold & Co</b>")
    response = analyst_client.get("/operations/?year=2098")
    table = rendered_tables[-1]
    expected = squeezed(tables2_body(table, response.wsgi_request))
    table._counter = itertools.count()
    fast = squeezed(table.rows_html())
    assert "&lt;b&gt;Bold &amp; Co&lt;/b&gt;" in fast
    assert fast == expected


def tag_spaced(html):
    """Whitespace that HTML ignores dropped: between and inside tags, around text."""
    html = re.sub(r"\s+", " ", html)
    return re.sub(r"\s*(<|>)\s*", r"\1", html).replace(" >", ">").strip()


@pytest.mark.parametrize(
    "url", [*PAGES, "/results/?page=3&per_page=25", "/operations/?sort=name&page=999", "/results/?country=ZZ"]
)
def test_as_html_writes_the_table_tables2s_template_writes(analyst_client, rendered_tables, url):
    """Header with its sort links, body, footer and page links as tables2's Bootstrap 5 template (plus our caption)."""
    response = analyst_client.get(url)
    if not rendered_tables:  # an invalid filter shows no table
        assert response.status_code == 400
        return
    table, request = rendered_tables[-1], response.wsgi_request
    table._counter = itertools.count()
    expected = get_template("django_tables2/bootstrap5-responsive.html").render({"table": table, "request": request})
    caption = f'<caption class="visually-hidden">{table.caption}</caption>'
    fast = table.as_html(request).replace(caption, "", 1)
    # Ours only adds a focusable scroll region around the table (the page links stay out of it, in view); with that
    # wrapper folded back into tables2's one div the rest must be the template's, byte for byte.
    fast = re.sub(
        r'^<div class="table-container"><div class="table-responsive" tabindex="0" role="region"[^>]*>',
        '<div class="table-container table-responsive">',
        fast,
        count=1,
    )
    fast = tag_spaced(fast.replace("</table></div>", "</table>", 1))
    assert "<thead>" in fast and "<tfoot>" in fast
    assert fast == tag_spaced(expected)
