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


def has_table(response):
    return "<table" in response.content.decode()
