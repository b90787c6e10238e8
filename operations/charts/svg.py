"""What the charts share: the palette (greyscale-safe), text sizes, and small SVG-writing helpers."""

import math

from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

UNKNOWN = "—"
# One dark hue for bars and columns: it stays dark in a greyscale printout, and text beside it stays readable.
BAR_FILL = "#1f4e79"
# Sequential light-to-dark ramp (ColorBrewer Blues) whose greyscale lightness also steps down
# (roughly 85, 64, 46, 28, 17 %), so the classes survive a black-and-white printout.
RAMP = ("#c6dbef", "#6baed6", "#3182bd", "#08519c", "#08306b")
NEUTRAL_FILL = "#f5f5f5"
BORDER = "#9e9e9e"
# Participants without a figure are hatched rather than given a colour: a colour would read as a value.
HATCH_BACKGROUND = "#e0e0e0"
HATCH_LINE = "#616161"
HIGHLIGHT_STROKE_WIDTH = 1.6
# White with a black edge, so a command centre's star shows on the lightest and the darkest class alike.
STAR_STROKE_WIDTH = 1.2

FONT_SIZE = 13
# The map's viewBox is 1000 wide and usually shown narrower, so its legend text is set larger to stay legible.
MAP_FONT_SIZE = 18
# Average glyph width as a share of the font size: text is laid out without measuring it (no fonts here).
GLYPH_WIDTH = 0.58
# The longest a column's label may run downwards from the axis, in pixels (about 17 characters).
LONGEST_UPRIGHT_LABEL = 130
# How far below a row's middle the text baseline sits to centre the text on it (a third of the font size): written
# into y rather than as dy="0.35em" on every text, because a dashboard may draw hundreds of rows.
BASELINE_SHIFT = FONT_SIZE * 0.35
# Room left of a bar chart's labels for text wider than GLYPH_WIDTH estimates.
LABEL_MARGIN = 14
# The widest a bar's label is drawn ("St. Vincent and the Grenadines" fits); longer ones end in "…", whole in the
# tooltip and in the table beside the chart.
LONGEST_BAR_LABEL = 240


def _number(value):
    return number_format(value, force_grouping=True)


def _star(x, y, *, outer=7.0, inner=3.0):
    """A five-pointed star centred on (x, y), as path data."""
    points = []
    for corner in range(10):
        radius = outer if corner % 2 == 0 else inner
        angle = math.pi * corner / 5 - math.pi / 2
        points.append(f"{_n(x + radius * math.cos(angle))} {_n(y + radius * math.sin(angle))}")
    return "M" + "L".join(points) + "Z"


def _svg(width, height, title, css_class, parts, *, font_size=FONT_SIZE, origin=(0, 0)) -> SafeString:
    """The root element: scales to its container's width, takes the page's font, named for screen readers."""
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="{}" viewBox="{} {} {} {}" width="100%" role="img" '
        'aria-label="{}" font-family="inherit" font-size="{}" fill="currentColor"><title>{}</title>{}</svg>',
        css_class,
        _n(origin[0]),
        _n(origin[1]),
        _n(width),
        _n(math.ceil(height)),
        title,
        font_size,
        title,
        _joined(parts),
    )


def _shown(value, display):
    """The text beside a bar: the caller's formatted figure, or the dash for unknown (which is not zero)."""
    return UNKNOWN if value is None else display


def _scaled(value, largest, length):
    return max(value, 0) / largest * length if largest > 0 else 0


def _text_width(text, font_size=FONT_SIZE):
    return len(str(text)) * font_size * GLYPH_WIDTH


def _truncate(text, width, font_size=FONT_SIZE):
    """Text cut with an ellipsis to fit the width; the full text stays in the row's tooltip."""
    text = str(text)
    fits = max(int(width / (font_size * GLYPH_WIDTH)), 1)
    return text if len(text) <= fits else text[: fits - 1].rstrip() + "…"


def _n(number, decimals=1):
    """A coordinate for an attribute: one decimal at most, never localized (a French comma breaks SVG)."""
    # Adding 0.0 turns the -0.0 that rounding can leave into 0.0.
    text = f"{round(float(number), decimals) + 0.0:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _joined(fragments):
    """Markup fragments that are each already escaped, as one safe string."""
    return mark_safe("".join(fragments))
