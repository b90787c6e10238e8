"""Bar charts (one bar per country) and column charts (one column per year) as accessible SVG."""

from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString

from .svg import (
    BAR_FILL,
    BASELINE_SHIFT,
    FONT_SIZE,
    LABEL_MARGIN,
    LONGEST_BAR_LABEL,
    LONGEST_UPRIGHT_LABEL,
    UNKNOWN,
    _n,
    _scaled,
    _shown,
    _svg,
    _text_width,
    _truncate,
)


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


def column_layout(charts_rows, abbreviations=None):
    """(top, label_room) that fit every figure and label of these column charts: charts drawn side by side with the
    same layout share their baseline and their height, so their columns and year labels line up. `abbreviations`
    as column_chart() takes them."""
    abbreviations = abbreviations or {}
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
            label = abbreviations.get(label, label)
            if _text_width(label) > slot - 2:
                label_room = max(label_room, _text_width(_truncate(label, LONGEST_UPRIGHT_LABEL)) + 4)
    return top, label_room


def column_chart(series_rows, *, title, value_label, layout=None, abbreviations=None) -> SafeString:
    """Vertical columns, one per (label, value or None, display text) row, left to right: one per year. Charts shown
    together pass the same `layout` (column_layout() of all their rows).

    `abbreviations` {label: mark}: the mark is written under the column instead of a label too long for it ("?" for
    "year unknown" among a dozen years, which written downwards left a band of white under every chart), with
    "mark: label" after the caption; the column's tooltip keeps the label."""
    labels = {label for label, _, _ in series_rows}
    abbreviations = {label: mark for label, mark in (abbreviations or {}).items() if label in labels}
    width, plot_height, left, right = COLUMN_WIDTH, COLUMN_PLOT_HEIGHT, COLUMN_LEFT, COLUMN_RIGHT
    slot = (width - left - right) / max(len(series_rows), 1)
    column_width = min(slot * 0.7, 48)
    largest = max((value for _, value, _ in series_rows if value is not None), default=0)
    upright = [_text_width(_shown(value, display)) > slot - 4 for _, value, display in series_rows]
    shown_labels = [abbreviations.get(label, label) for label, _, _ in series_rows]
    across = [_text_width(label) <= slot - 2 for label in shown_labels]
    top, label_room = layout or column_layout([series_rows], abbreviations)
    baseline = top + plot_height
    height = baseline + 6 + label_room

    parts = [
        format_html('<text class="caption" x="{}" y="14">{}</text>', left, value_label),
        # Right after the caption, not at the far end: on a phone the chart scrolls and the end is out of view.
        *(
            format_html(
                '<text class="caption key" x="{}" y="14">{}: {}</text>',
                _n(left + _text_width(value_label) * 1.1 + 16),
                mark,
                label,
            )
            for label, mark in abbreviations.items()
        ),
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
        written = shown_labels[index]
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
                    written,
                )
            )
        else:
            parts.append(
                format_html(
                    '<text class="label" transform="translate({} {}) rotate(-90)" text-anchor="end" dy="0.35em">'
                    "{}</text></g>",
                    _n(centre),
                    _n(baseline + 6),
                    _truncate(written, LONGEST_UPRIGHT_LABEL),
                )
            )
    return _svg(width, height, title, "chart column-chart", parts)
