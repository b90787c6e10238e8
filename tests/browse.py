"""Helpers for the browsing tests: read rows, cells and the totals footer back out of a rendered table."""

import html
import re

from operations.figures import Figure
from operations.models import Source
from operations.services import record_figure


def text(fragment):
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", "", fragment))).strip()


def row_keys(response, attr="data-slug"):
    """The `attr` of every body row, in the order shown."""
    body = response.content.decode().split("<tbody", 1)[1].split("</tbody>", 1)[0]
    return [re.search(rf'{attr}="([^"]+)"', tag)[1] for tag in re.findall(r"<tr [^>]*>", body)]


def cells(response, metric):
    """The text of the `metric` cell of every body row, in the order shown."""
    body = response.content.decode().split("<tbody", 1)[1].split("</tbody>", 1)[0]
    return [
        text(cell) for cell in re.findall(rf'<td class="figure-cell" data-metric="{metric}">(.*?)</td>', body, re.S)
    ]


def footer(response):
    """{metric: text} of the totals footer."""
    foot = response.content.decode().split("<tfoot", 1)[1].split("</tfoot>", 1)[0]
    return {m: text(t) for m, t in re.findall(r'data-metric="(\w+)">(.*?)</td>', foot, re.S)}


def figure_notes(page: str) -> dict:
    """{number: the note's HTML} of a page's figure footnotes (the `<li id="note-N">` of its list)."""
    return {
        int(number): note
        for number, note in re.findall(r'<li id="note-(\d+)">(.*?)</li>(?=<li id="note-|\s*</ol>)', page, re.S)
    }


def note_numbers(fragment: str) -> list[int]:
    """The footnote numbers a fragment (a cell, a card) links to, in order."""
    return [int(number) for number in re.findall(r'href="#note-(\d+)"', fragment)]


def has_table(response):
    return "<table" in response.content.decode()


def synthetic_operations(count, *, year=2099, figures=None, **fields):
    """`count` synthetic operations in `year`, each with the figures `figures(i)` returns ({metric: Figure})."""
    from operations.models import Operation

    source, _ = Source.objects.get_or_create(publisher="Synthetic test source", url="https://example.org/synthetic")
    operations = []
    for i in range(count):
        operation = Operation.objects.create(
            name=f"Synthetic operation {year}-{i:03d}", slug=f"synthetic-{year}-{i:03d}", year=year, **fields
        )
        for metric, figure in (figures(i) if figures else {}).items():
            if figure.value is not None:
                record_figure(operation=operation, metric=metric, figure=figure, source=source)
        operations.append(operation)
    return operations


__all__ = ["Figure", "cells", "footer", "has_table", "row_keys", "synthetic_operations", "text"]
