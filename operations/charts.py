"""Server-side SVG charts and the world map for dashboards, drawn from plain data passed in (no queries)."""

import hashlib
import json
import math
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.utils.formats import number_format
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

from .countries import localized_name

MAP_FILE = Path(__file__).resolve().parent / "data" / "world_map.json"

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


@cache
def _world():
    """What tools/build_world_map.py writes: viewBox, country paths and centroids, small-country markers."""
    return json.loads(MAP_FILE.read_text(encoding="utf-8"))


def unmappable(codes):
    """The codes the map can draw neither as a country nor as a marker, for the page to list in text."""
    world = _world()
    return sorted({code for code in codes if code not in world["countries"] and code not in world["markers"]})


def bar_chart(rows, *, title, value_label, label_width=None, value_width=None) -> SafeString:
    """Horizontal bars, one per (label, value or None, display text) row, in the order given.

    Charts drawn one above the other pass the same `label_width` and `value_width` (bar_layout() of all their rows),
    so that their bars start at the same x and share a length scale's room: they line up on one grid."""
    if label_width is None or value_width is None:
        label_width, value_width = bar_layout([rows])
    display_width = value_width
    width = 640
    row_height, bar_height, top = 24, 16, 24
    bar_x = label_width + 10
    longest_bar = max(width - bar_x - display_width - 12, 40)
    height = top + row_height * len(rows) + 6
    largest = max((value for _, value, _ in rows if value is not None), default=0)

    parts = [format_html('<text class="caption" x="{}" y="14">{}</text>', _n(bar_x), value_label)]
    # One f-string per row with each text escaped: format_html per element cost a quarter of a large dashboard.
    for index, (label, value, display) in enumerate(rows):
        middle = top + index * row_height + row_height / 2
        baseline = _n(middle + BASELINE_SHIFT)
        # Not class="row": Bootstrap's .row > * rule would set a CSS width on every rect and stretch the bars.
        row = (
            f'<g class="bar-row"><title>{conditional_escape(label)}: {conditional_escape(display or UNKNOWN)}</title>'
            f'<text class="label" x="{_n(label_width)}" y="{baseline}" text-anchor="end">'
            f"{conditional_escape(_truncate(label, label_width - LABEL_MARGIN))}</text>"
        )
        end = bar_x
        if value is not None:
            length = _scaled(value, largest, longest_bar)
            row += (
                f'<rect class="bar" x="{_n(bar_x)}" y="{_n(middle - bar_height / 2)}" width="{_n(length)}" '
                f'height="{bar_height}" fill="{BAR_FILL}"/>'
            )
            end += length + 6
        css_class = "value" if value is not None else "value unknown"
        shown = conditional_escape(_shown(value, display))
        row += f'<text class="{css_class}" x="{_n(end)}" y="{baseline}">{shown}</text></g>'
        parts.append(row)
    return _svg(width, height, title, "chart bar-chart", parts)


def bar_layout(charts_rows):
    """(label_width, value_width) that fit every label and figure of these bar charts' rows."""
    all_rows = [row for rows in charts_rows for row in rows]
    # Labels are right-aligned on label_width; the estimate runs short for wide capitals ("Mozambique" was cut
    # at the left edge in Chromium), so a margin keeps the first letters inside the viewBox.
    label_width = min(max((_text_width(label) for label, _, _ in all_rows), default=0), LONGEST_BAR_LABEL)
    value_width = max((_text_width(_shown(value, display)) for _, value, display in all_rows), default=0)
    return label_width + LABEL_MARGIN, value_width


COLUMN_WIDTH, COLUMN_PLOT_HEIGHT, COLUMN_LEFT, COLUMN_RIGHT = 640, 180, 8, 8


def column_layout(charts_rows):
    """(top, label_room) that fit every figure and label of these column charts: charts drawn side by side with the
    same layout share their baseline and their height, so their columns and year labels line up."""
    top, label_room = 24, FONT_SIZE + 3
    for series_rows in charts_rows:
        slot = (COLUMN_WIDTH - COLUMN_LEFT - COLUMN_RIGHT) / max(len(series_rows), 1)
        largest = max((value for _, value, _ in series_rows if value is not None), default=0)
        # Figures wider than their slot are written upwards from the column's top. Start the plot low enough that
        # each figure, across or upright, fits above its own column.
        for _, value, display in series_rows:
            text = _text_width(_shown(value, display))
            text_height = text if text > slot - 4 else FONT_SIZE
            room = COLUMN_PLOT_HEIGHT - _scaled(value or 0, largest, COLUMN_PLOT_HEIGHT)
            top = max(top, 24 + text_height + 6 - room)
        # A label wider than its slot ("year unknown" under thirteen years) is written downwards from the axis, whole
        # (up to LONGEST_UPRIGHT_LABEL), rather than cut to "year…".
        for label, _, _ in series_rows:
            if _text_width(label) > slot - 2:
                label_room = max(label_room, _text_width(_truncate(label, LONGEST_UPRIGHT_LABEL)) + 4)
    return top, label_room


def column_chart(series_rows, *, title, value_label, layout=None) -> SafeString:
    """Vertical columns, one per (label, value or None, display text) row, left to right: one per year. Charts shown
    together pass the same `layout` (column_layout() of all their rows)."""
    width, plot_height, left, right = COLUMN_WIDTH, COLUMN_PLOT_HEIGHT, COLUMN_LEFT, COLUMN_RIGHT
    slot = (width - left - right) / max(len(series_rows), 1)
    column_width = min(slot * 0.7, 48)
    largest = max((value for _, value, _ in series_rows if value is not None), default=0)
    upright = [_text_width(_shown(value, display)) > slot - 4 for _, value, display in series_rows]
    across = [_text_width(label) <= slot - 2 for label, _, _ in series_rows]
    top, label_room = layout or column_layout([series_rows])
    baseline = top + plot_height
    height = baseline + 6 + label_room

    parts = [
        format_html('<text class="caption" x="{}" y="14">{}</text>', left, value_label),
        format_html(
            '<line class="axis" x1="{}" x2="{}" y1="{}" y2="{}" stroke="currentColor" stroke-width="1"/>',
            left,
            width - right,
            _n(baseline),
            _n(baseline),
        ),
    ]
    for index, ((label, value, display), up, fits) in enumerate(zip(series_rows, upright, across, strict=True)):
        centre = left + slot * index + slot / 2
        shown = _shown(value, display)
        parts.append(format_html('<g class="column"><title>{}: {}</title>', label, display or UNKNOWN))
        column_top = baseline
        if value is not None:
            length = _scaled(value, largest, plot_height)
            column_top = baseline - length
            parts.append(
                format_html(
                    '<rect class="bar" x="{}" y="{}" width="{}" height="{}" fill="{}"/>',
                    _n(centre - column_width / 2),
                    _n(column_top),
                    _n(column_width),
                    _n(length),
                    BAR_FILL,
                )
            )
        value_class = "value" if value is not None else "value unknown"
        if up:
            parts.append(
                format_html(
                    '<text class="{}" transform="translate({} {}) rotate(-90)" dy="0.35em">{}</text>',
                    value_class,
                    _n(centre),
                    _n(column_top - 4),
                    shown,
                )
            )
        else:
            parts.append(
                format_html(
                    '<text class="{}" x="{}" y="{}" text-anchor="middle">{}</text>',
                    value_class,
                    _n(centre),
                    _n(column_top - 5),
                    shown,
                )
            )
        if fits:
            parts.append(
                format_html(
                    '<text class="label" x="{}" y="{}" text-anchor="middle">{}</text></g>',
                    _n(centre),
                    _n(baseline + 16),
                    label,
                )
            )
        else:
            parts.append(
                format_html(
                    '<text class="label" transform="translate({} {}) rotate(-90)" text-anchor="end" dy="0.35em">'
                    "{}</text></g>",
                    _n(centre),
                    _n(baseline + 6),
                    _truncate(label, LONGEST_UPRIGHT_LABEL),
                )
            )
    return _svg(width, height, title, "chart column-chart", parts)


@dataclass(frozen=True)
class WorldMap:
    """A map and its legend: rendered together in a page (`{{ world_map }}`), apart where a test reads the SVG."""

    svg: SafeString
    legend: SafeString

    def __html__(self):
        return self.svg + self.legend

    __str__ = __html__


def world_map(shaded, *, title, highlight=(), legend_label, no_figure_label=None, zoom=False) -> WorldMap:
    """Countries shaded by value (iso2 -> (value or None, tooltip)); command centres outlined and starred; then the
    legend, in HTML under the map so that its text stays legible however small the map is drawn.

    Countries whose value is None are hatched and named "no figure" in the legend, or `no_figure_label` (a map of
    roles passes only None values and calls the hatch "participant").

    Countries too small for the map's scale are drawn as circles at their position, and a country drawn too small to
    find at the map's frame gets a ring around it; codes the map cannot place at all are skipped, and unmappable()
    names them so the page can list them in text.

    With `zoom`, the map is framed to the shaded and highlighted countries with a margin (the Caribbean fills the
    frame rather than a few pixels of it, South America gets an upright frame); borders, markers and stars keep
    their size on screen.
    """
    world = _world()
    _, _, map_width, map_height = (float(number) for number in world["viewBox"].split())
    highlight = set(highlight)
    frame = _frame(set(shaded) | highlight, map_width, map_height) if zoom else (0.0, 0.0, map_width, map_height)
    # Line widths and marker sizes are in map units: scaled with the frame so they look the same at any zoom.
    unit = max(frame[2] / map_width, frame[3] / map_height)
    classes = _classes([value for value, _ in shaded.values() if value is not None])
    fills = _class_fills(len(classes))
    # An id unique to this map's content, so two maps on one page do not share a pattern by accident.
    content = repr((title, sorted(shaded), sorted(highlight))).encode()
    hatch_id = f"no-figure-{hashlib.sha1(content, usedforsecurity=False).hexdigest()[:8]}"

    def class_of(code):
        value = shaded[code][0]
        return None if value is None else _class_index(value, classes)

    def fill_for(code):
        if code not in shaded:
            return NEUTRAL_FILL
        index = class_of(code)
        return f"url(#{hatch_id})" if index is None else fills[index]

    def classes_for(code):
        names = ["country"]
        if code in shaded:
            index = class_of(code)
            names.append("no-figure" if index is None else f"shaded class-{index + 1}")
        if code in highlight:
            names.append("highlight")
        return " ".join(names)

    def tooltip_for(code, place):
        # The map data names countries in English; a country without a tooltip of its own is named in the interface
        # language like every other country on the page.
        return shaded[code][1] if code in shaded else localized_name(code, place["name"], get_language())

    # Highlighted countries come last so that no neighbour drawn after them covers half their thick outline.
    drawn = sorted(world["countries"].items(), key=lambda item: (item[0] in highlight, item[0] in shaded))
    country_paths = format_html_join(
        "",
        '<path class="{}" data-iso2="{}" d="{}" fill="{}"{}><title>{}</title></path>',
        (
            (
                classes_for(code),
                code,
                place["path"],
                fill_for(code),
                _highlight_stroke(unit) if code in highlight else "",
                tooltip_for(code, place),
            )
            for code, place in drawn
        ),
    )
    marked = set(shaded) | highlight
    small = sorted((marked - set(world["countries"])) & set(world["markers"]))
    circles = format_html_join(
        "",
        '<circle class="marker {}" data-iso2="{}" cx="{}" cy="{}" r="{}" fill="{}" stroke="#212121" '
        'stroke-width="{}"><title>{}</title></circle>',
        (
            (
                classes_for(code),
                code,
                _n(world["markers"][code]["centroid"][0]),
                _n(world["markers"][code]["centroid"][1]),
                _n(MARKER_RADIUS * unit),
                fill_for(code),
                _n((1.6 if code in highlight else 0.6) * unit, 2),
                tooltip_for(code, world["markers"][code]),
            )
            for code in small
        ),
    )
    # A country drawn smaller than a marker at this frame (Trinidad on a world map) gets a ring around it: findable,
    # and its own shade still shows inside the ring.
    outlines = _outline_boxes()
    rings = format_html_join(
        "",
        '<circle class="ring" cx="{}" cy="{}" r="{}" fill="none" stroke="#212121" stroke-width="{}"/>',
        (
            (
                _n(world["countries"][code]["centroid"][0]),
                _n(world["countries"][code]["centroid"][1]),
                _n(RING_RADIUS * unit),
                _n(0.8 * unit, 2),
            )
            for code in sorted(marked & set(world["countries"]))
            if _size(outlines[code]) < RING_RADIUS * unit
        ),
    )
    centre_label = gettext("command centre")
    centres = []
    for code in sorted(highlight):
        if code in world["countries"]:
            place, box = world["countries"][code], outlines[code]
        elif code in world["markers"]:
            place = world["markers"][code]
            x, y = place["centroid"]
            box = (
                x - MARKER_RADIUS * unit,
                y - MARKER_RADIUS * unit,
                x + MARKER_RADIUS * unit,
                y + MARKER_RADIUS * unit,
            )
        else:
            continue
        x, y = _beside(box, STAR_RADIUS * unit, frame)
        centres.append(
            format_html(
                '<path class="centre-marker" data-centre="{}" d="{}" {}><title>{}: {}</title></path>',
                code,
                _star(x, y, outer=STAR_RADIUS * unit, inner=STAR_RADIUS * unit * 3 / 7),
                _star_paint(unit),
                place["name"],
                centre_label,
            )
        )

    parts = [
        format_html("<defs>{}</defs>", _hatch_pattern(hatch_id, unit)),
        format_html(
            '<g class="countries" stroke="{}" stroke-width="{}" stroke-linejoin="round">{}</g>',
            BORDER,
            _n(0.4 * unit, 2),
            country_paths,
        ),
        format_html('<g class="rings">{}</g>', rings),
        format_html('<g class="markers">{}</g>', circles),
        format_html('<g class="centres">{}</g>', _joined(centres)),
    ]
    svg = _svg(frame[2], frame[3], title, "chart world-map", parts, origin=frame[:2])
    legend = _map_legend(
        classes,
        fills,
        legend_label=legend_label,
        show_no_figure=any(value is None for value, _ in shaded.values()),
        no_figure_label=no_figure_label or gettext("no figure"),
        show_centre=bool(highlight),
        hatch_id=f"{hatch_id}-legend",
    )
    return WorldMap(svg, legend)


# A small country's circle, the ring around a tiny one, a command centre's star: radii in map units at world scale.
MARKER_RADIUS = 4.0
RING_RADIUS = 6.0
STAR_RADIUS = 7.0
LEGEND_SWATCH = '<svg class="swatch" width="16" height="16" viewBox="0 0 16 16" aria-hidden="true">{}</svg>'


def _map_legend(classes, fills, *, legend_label, show_no_figure, no_figure_label, show_centre, hatch_id):
    """The legend as an HTML list (it wraps like text, at the page's font size): the classes, "no figure", the star."""
    square = '<rect x="0.5" y="0.5" width="15" height="15" fill="{}" stroke="#757575" stroke-width="1"/>'
    items = [(format_html(square, fill), text) for fill, text in zip(fills, _class_labels(classes), strict=True)]
    if show_no_figure:
        hatch = format_html("<defs>{}</defs>", _hatch_pattern(hatch_id, 1.0)) + format_html(square, f"url(#{hatch_id})")
        items.append((hatch, no_figure_label))
    if show_centre:
        items.append(
            (
                format_html('<path d="{}" {}/>', _star(8, 8, outer=7.5, inner=3.2), _star_paint(1.0)),
                gettext("command centre"),
            )
        )
    return format_html(
        '<ul class="map-legend list-inline small mb-1"><li class="list-inline-item legend-title">{}</li>{}</ul>',
        legend_label,
        format_html_join(
            "",
            '<li class="list-inline-item legend-item">' + LEGEND_SWATCH + " {}</li>",
            ((symbol, text) for symbol, text in items),
        ),
    )


def _highlight_stroke(unit):
    return format_html(' stroke="#000000" stroke-width="{}"', _n(HIGHLIGHT_STROKE_WIDTH * unit, 2))


def _star_paint(unit):
    """White with a black edge, so a command centre's star shows on the lightest and the darkest class alike."""
    return format_html('fill="#ffffff" stroke="#000000" stroke-width="{}"', _n(STAR_STROKE_WIDTH * unit, 2))


def _hatch_pattern(pattern_id, unit):
    """Diagonal hatching for "no figure", its tile scaled with the zoom so the lines keep their spacing."""
    return format_html(
        '<pattern id="{}" width="{}" height="{}" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
        '<rect width="{}" height="{}" fill="{}"/><line x1="0" y1="0" x2="0" y2="{}" stroke="{}" stroke-width="{}"/>'
        "</pattern>",
        pattern_id,
        *(_n(4 * unit, 2),) * 2,
        *(_n(4 * unit, 2),) * 2,
        HATCH_BACKGROUND,
        _n(4 * unit, 2),
        HATCH_LINE,
        _n(1.5 * unit, 2),
    )


@cache
def _outline_boxes():
    """iso2 -> bounding box (x0, y0, x1, y1) of the country's largest ring: its mainland, so that an outlying
    island or overseas part does not widen a zoomed map to half the world."""
    boxes = {}
    for code, place in _world()["countries"].items():
        rings = []
        for ring in place["path"].split("M")[1:]:
            numbers = [float(number) for number in _NUMBER_RE.findall(ring)]
            x, y = numbers[0], numbers[1]
            xs, ys = [x], [y]
            for dx, dy in zip(numbers[2::2], numbers[3::2], strict=False):
                x, y = x + dx, y + dy
                xs.append(x)
                ys.append(y)
            rings.append((min(xs), min(ys), max(xs), max(ys)))
        boxes[code] = max(rings, key=lambda box: (box[2] - box[0]) * (box[3] - box[1]))
    return boxes


def _size(box):
    return max(box[2] - box[0], box[3] - box[1])


# Numbers in the map's path data ("M637.6 177.8l.5-.1 .2 .9"): the file only uses M, relative l and z.
_NUMBER_RE = re.compile(r"-?(?:\d+\.?\d*|\.\d+)")
# A framed map never shows less than this share of the world's width (a single small country stays in context).
MIN_ZOOM_WIDTH = 0.18
# A frame is at most this much taller than wide (South America) and at most as wide for its height as the world map.
MIN_FRAME_ASPECT = 0.85
# The margin around the countries: a share of the frame's larger side, plus a few map units.
FRAME_MARGIN, FRAME_MARGIN_UNITS = 0.06, 8


def _frame(codes, map_width, map_height):
    """(x, y, width, height): the countries' mainlands and markers with a margin all round, within the world; the
    whole world when they span most of it."""
    outlines, markers = _outline_boxes(), _world()["markers"]
    boxes = [outlines[code] for code in codes if code in outlines]
    boxes += [
        (x - MARKER_RADIUS, y - MARKER_RADIUS, x + MARKER_RADIUS, y + MARKER_RADIUS)
        for x, y in (markers[code]["centroid"] for code in codes if code in markers and code not in outlines)
    ]
    world = (0.0, 0.0, map_width, map_height)
    if not boxes:
        return world
    x0, y0 = min(box[0] for box in boxes), min(box[1] for box in boxes)
    x1, y1 = max(box[2] for box in boxes), max(box[3] for box in boxes)
    # Room for the stars beside command centres, and a margin so no country touches the frame.
    pad = max(x1 - x0, y1 - y0) * FRAME_MARGIN + FRAME_MARGIN_UNITS + STAR_RADIUS
    width = max(x1 - x0 + 2 * pad, map_width * MIN_ZOOM_WIDTH)
    height = y1 - y0 + 2 * pad
    width = max(width, height * MIN_FRAME_ASPECT)
    height = max(height, width * map_height / map_width)
    if width >= map_width * 0.85:
        return world
    width, height = min(width, map_width), min(height, map_height)
    # Centred on the countries, then moved (not shrunk) back inside the map where it overhangs an edge.
    x = min(max((x0 + x1 - width) / 2, 0), map_width - width)
    y = min(max((y0 + y1 - height) / 2, 0), map_height - height)
    return (x, y, width, height)


def _beside(box, radius, frame):
    """Where a command centre's star goes: just off a corner of the country's box (never on the country it marks),
    the first corner that keeps the whole star inside the frame."""
    x0, y0, x1, y1 = box
    offset = radius * 1.05  # the star's own box clears the country's
    fx, fy, fw, fh = frame
    corners = [
        (x1 + offset, y0 - offset),
        (x0 - offset, y0 - offset),
        (x1 + offset, y1 + offset),
        (x0 - offset, y1 + offset),
    ]
    for x, y in corners:
        if fx + radius <= x <= fx + fw - radius and fy + radius <= y <= fy + fh - radius:
            return x, y
    return corners[0]


def _classes(values, count=5):  # as many classes as RAMP has colours, at most
    """The map's classes, as (lowest, highest) value in each, from the values shown.

    Five or fewer different values: one class each. More: the values are split at their quantiles, so that each
    class holds about as many countries (a few large countries do not leave the other classes empty); breaks that
    fall on the same value merge. Every class holds at least one value, and its label gives the lowest and highest
    value in it, so the legend never shows a range no country is in."""
    distinct = sorted(set(values))
    if len(distinct) <= count:
        return [(value, value) for value in distinct]
    ordered = sorted(values)
    breaks = sorted({ordered[max(math.ceil(len(ordered) * step / count) - 1, 0)] for step in range(1, count + 1)})
    classes, low = [], None
    for bound in breaks:
        members = [value for value in distinct if (low is None or value > low) and value <= bound]
        if members:
            classes.append((members[0], members[-1]))
        low = bound
    return classes


# Which of the ramp's five colours n classes use: spread out, so two classes are light and dark, not two blues.
_RAMP_PICKS = {1: (3,), 2: (0, 4), 3: (0, 2, 4), 4: (0, 1, 3, 4), 5: (0, 1, 2, 3, 4)}


def _class_fills(count):
    return [RAMP[index] for index in _RAMP_PICKS.get(count, ())]


def _class_index(value, classes):
    return next((index for index, (_, high) in enumerate(classes) if value <= high), len(classes) - 1)


def _class_labels(classes):
    """ "16" for a class of one value, "1,194–3,222" for the lowest and highest value of a class of several."""
    return [_number(low) if low == high else f"{_number(low)}\u2013{_number(high)}" for low, high in classes]


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
