"""The world map: countries shaded by a figure in greyscale-safe classes, command centres starred, zoom."""

import hashlib
import json
import math
import re
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
    MAP_FONT_SIZE,
    NEUTRAL_FILL,
    RAMP,
    STAR_STROKE_WIDTH,
    _joined,
    _n,
    _number,
    _star,
    _svg,
    _text_width,
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


def world_map(shaded, *, title, highlight=(), legend_label, no_figure_label=None, zoom=False) -> SafeString:
    """Countries shaded by value (iso2 -> (value or None, tooltip)); command centres outlined and starred.

    Countries whose value is None are hatched and named "no figure" in the legend, or `no_figure_label` (a map of
    roles passes only None values and calls the hatch "participant").

    Countries too small for the map's scale are drawn as circles at their position; codes the map cannot place
    at all are skipped, and unmappable() names them so the page can list them in text.

    With `zoom`, the map is cropped to the shaded and highlighted countries (the Caribbean fills the frame rather
    than a few pixels of it); borders, markers and stars keep their on-screen size. The legend does not move.
    """
    world = _world()
    _, _, map_width, map_height = (float(number) for number in world["viewBox"].split())
    box = _zoom_box(set(shaded) | set(highlight), map_width, map_height) if zoom else None
    # Line widths and marker sizes are in map units: divide them by the zoom so they look the same at any zoom.
    unit = box[2] / map_width if box else 1.0
    highlight = set(highlight)
    values = [value for value, _ in shaded.values() if value is not None]
    bounds = _class_bounds(values)
    # An id unique to this map's content, so two maps on one page do not share a pattern by accident.
    content = repr((title, sorted(shaded), sorted(highlight))).encode()
    digest = hashlib.sha1(content, usedforsecurity=False).hexdigest()[:8]
    hatch_id = f"no-figure-{digest}"
    legend_hatch_id = f"{hatch_id}-legend" if box else hatch_id

    def fill_for(code):
        if code not in shaded:
            return NEUTRAL_FILL
        value = shaded[code][0]
        return f"url(#{hatch_id})" if value is None else RAMP[_class_index(value, bounds)]

    def classes_for(code):
        names = ["country"]
        if code in shaded:
            value = shaded[code][0]
            names.append("no-figure" if value is None else f"shaded class-{_class_index(value, bounds) + 1}")
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
    small = sorted(((set(shaded) | highlight) - set(world["countries"])) & set(world["markers"]))
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
                _n(4 * unit),
                fill_for(code),
                _n((1.6 if code in highlight else 0.6) * unit, 2),
                tooltip_for(code, world["markers"][code]),
            )
            for code in small
        ),
    )
    centre_label = gettext("command centre")
    centres = []
    for code in sorted(highlight):
        place = world["countries"].get(code) or world["markers"].get(code)
        if place:
            centres.append(
                format_html(
                    '<path class="centre-marker" d="{}" {}><title>{}: {}</title></path>',
                    _star(*place["centroid"], outer=7.0 * unit, inner=3.0 * unit),
                    _star_paint(unit),
                    place["name"],
                    centre_label,
                )
            )

    legend, legend_height = _map_legend(
        bounds if values else [],
        legend_label=legend_label,
        show_no_figure=any(value is None for value, _ in shaded.values()),
        no_figure_label=no_figure_label or gettext("no figure"),
        show_centre=bool(highlight),
        hatch_id=legend_hatch_id,
        top=map_height + 8,
        width=map_width,
    )
    patterns = [_hatch_pattern(hatch_id, unit)]
    if box:
        patterns.append(_hatch_pattern(legend_hatch_id, 1.0))
    drawing = [
        format_html(
            '<g class="countries" stroke="{}" stroke-width="{}" stroke-linejoin="round">{}</g>',
            BORDER,
            _n(0.4 * unit, 2),
            country_paths,
        ),
        format_html('<g class="centres">{}</g>', _joined(centres)),
        format_html('<g class="markers">{}</g>', circles),
    ]
    if box:
        # A nested viewport: the countries are drawn in map units and shown cropped to the box.
        drawing = [
            format_html(
                '<svg class="zoomed" x="0" y="0" width="{}" height="{}" viewBox="{}" '
                'preserveAspectRatio="xMidYMid meet" overflow="hidden">{}</svg>',
                _n(map_width),
                _n(map_height),
                " ".join(_n(number) for number in box),
                _joined(drawing),
            )
        ]
    parts = [format_html("<defs>{}</defs>", _joined(patterns)), *drawing, legend]
    height = map_height + 8 + legend_height
    return _svg(map_width, height, title, "chart world-map", parts, font_size=MAP_FONT_SIZE)


def _map_legend(bounds, *, legend_label, show_no_figure, no_figure_label, show_centre, hatch_id, top, width):
    """Legend items flowed left to right below the map, wrapping to a new line when the width runs out."""
    font_size, line_height, swatch, gap = MAP_FONT_SIZE, 28, 18, 22
    square = '<rect width="{}" height="{}" fill="{}"/>'
    items = []
    for index, text in _class_labels(bounds):
        items.append((format_html(square, swatch, swatch, RAMP[index]), text))
    if show_no_figure:
        items.append((format_html(square, swatch, swatch, f"url(#{hatch_id})"), no_figure_label))
    if show_centre:
        star = format_html('<path d="{}" {}/>', _star(swatch / 2, swatch / 2, outer=9), _star_paint(1.0))
        items.append((star, gettext("command centre")))

    # Baseline a third of the font below the swatch's middle, which centres the text on it.
    text_y = _n(swatch / 2 + font_size * 0.35)
    parts = [format_html('<text class="legend-title" y="{}">{}</text>', text_y, legend_label)]
    x, y = _text_width(legend_label, font_size) + gap, 0
    for symbol, text in items:
        item_width = swatch + 6 + _text_width(text, font_size)
        if x + item_width > width - 12 and x > 0:
            x, y = 0, y + line_height
        item = '<g class="legend-item" transform="translate({} {})">{}<text x="{}" y="{}">{}</text></g>'
        parts.append(format_html(item, _n(x), _n(y), symbol, swatch + 6, text_y, text))
        x += item_width + gap
    legend = format_html('<g class="legend" transform="translate(6 {})">{}</g>', _n(top), _joined(parts))
    return legend, y + line_height


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


# Numbers in the map's path data ("M637.6 177.8l.5-.1 .2 .9"): the file only uses M, relative l and z.
_NUMBER_RE = re.compile(r"-?(?:\d+\.?\d*|\.\d+)")
# A zoomed map never shows less than this share of the world's width (a single small country stays in context).
MIN_ZOOM_WIDTH = 0.18


def _zoom_box(codes, map_width, map_height):
    """(x, y, width, height) around the given countries, padded, with the map's aspect ratio; None when they
    already span most of the world (then the whole map is shown)."""
    outlines, markers = _outline_boxes(), _world()["markers"]
    boxes = [outlines[code] for code in codes if code in outlines]
    for code in codes:
        if code in markers and code not in outlines:
            x, y = markers[code]["centroid"]
            boxes.append((x - 4, y - 4, x + 4, y + 4))
    if not boxes:
        return None
    x0, y0 = min(box[0] for box in boxes), min(box[1] for box in boxes)
    x1, y1 = max(box[2] for box in boxes), max(box[3] for box in boxes)
    pad = max(x1 - x0, y1 - y0) * 0.08 + 8
    x0, y0, x1, y1 = x0 - pad, y0 - pad, x1 + pad, y1 + pad
    aspect = map_width / map_height
    width = max(x1 - x0, (y1 - y0) * aspect, map_width * MIN_ZOOM_WIDTH)
    if width >= map_width * 0.85:
        return None
    height = width / aspect
    # Centred on the countries, then moved (not shrunk) back inside the map where it overhangs an edge.
    x = min(max((x0 + x1 - width) / 2, 0), map_width - width)
    y = min(max((y0 + y1 - height) / 2, 0), map_height - height)
    return (x, y, width, height)


def _class_bounds(values):
    """Upper bounds of five equal classes from 0 to the largest value, on a round step (2,000, not 1,975)."""
    top = max(values, default=0)
    whole = all(isinstance(value, int) for value in values)
    step = _round_up(top / len(RAMP)) if top > 0 else 1
    if whole:
        step = max(1, math.ceil(step))
    # round() drops float noise such as 0.6000000000000001 before the bounds are shown.
    return [step * index if whole else round(step * index, 10) for index in range(1, len(RAMP) + 1)]


def _round_up(number):
    """The smallest 1, 2, 2.5 or 5 times a power of ten that is at least number."""
    power = 10 ** math.floor(math.log10(number))
    return next(nice * power for nice in (1, 2, 2.5, 5, 10) if nice * power >= number)


def _class_index(value, bounds):
    return next((index for index, bound in enumerate(bounds) if value <= bound), len(bounds) - 1)


def _class_labels(bounds):
    """(class index, range text) for each class; whole-number classes start one above the previous bound."""
    whole = all(isinstance(bound, int) for bound in bounds)
    labels = []
    previous = None
    for index, bound in enumerate(bounds):
        low = 0 if previous is None else previous + 1 if whole else previous
        previous = bound
        if low == bound:
            labels.append((index, _number(bound)))
        else:
            labels.append((index, f"{_number(low)}\u2013{_number(bound)}"))
    return labels
