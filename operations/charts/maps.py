"""The world map: countries shaded by a figure in greyscale-safe classes, command centres starred, zoom."""

import hashlib
import json
import math
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext

from ..countries import localized_name
from .svg import (
    BORDER,
    HATCH_BACKGROUND,
    HATCH_LINE,
    HIGHLIGHT_STROKE_WIDTH,
    NEUTRAL_FILL,
    RAMP,
    STAR_STROKE_WIDTH,
    _joined,
    _n,
    _number,
    _star,
    _svg,
)

MAP_FILE = Path(__file__).resolve().parents[1] / "data" / "world_map.json"


@cache
def _world():
    """What tools/build_world_map.py writes: viewBox, country paths and centroids, small-country markers."""
    return json.loads(MAP_FILE.read_text(encoding="utf-8"))


def unmappable(codes):
    """The codes the map can draw neither as a country nor as a marker, for the page to list in text."""
    world = _world()
    return sorted({code for code in codes if code not in world["countries"] and code not in world["markers"]})


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
