"""Read rows, cells and the totals footer back out of a rendered table."""

import html
import re
from pathlib import Path

# Where browser tests save screenshots and PDFs (gitignored).
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


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
