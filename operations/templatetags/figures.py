"""Template filters that display figures through the Figure type (never by hand in a template)."""

from django import template
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from operations.figures import Figure, FigureTotal

register = template.Library()


@register.filter
def figure(obj, metric):
    """`{{ operation|figure:"victims_rescued" }}` -> "about 700" (unknown is "—")."""
    return str(obj.figure(metric))


@register.filter
def figure_text(value):
    """`{{ some_figure|figure_text }}` -> "more than 10,000"; accepts a Figure, a FigureTotal or a plain number."""
    if isinstance(value, (Figure, FigureTotal)):
        return str(value)
    return "—" if value is None else str(Figure(value))


@register.filter
def source_ref(number):
    """`{{ number|source_ref }}` -> the superscript "[2]" linking to source 2 of the page's list; nothing for none."""
    if not number:
        return ""
    # An f-string, not format_html: a dashboard has a marker per cell, and format_html costs five times more.
    number = conditional_escape(number)
    return mark_safe(f'<sup class="source-ref"><a href="#source-{number}">[{number}]</a></sup>')


@register.filter
def reported(value):
    """`{{ value|reported }}` for a dashboard cell (a reported value: `figure`, `number`, `alternatives`): the figure
    with its source marker and, below it, the values other sources give. A filter rather than an included template
    because a dashboard has a cell per country and metric (an operation naming 249 countries has ~1,000)."""
    if value is None:
        return "—"
    html = mark_safe(conditional_escape(figure_text(value.figure)) + source_ref(value.number))
    if value.alternatives:
        also = gettext("also reported:")
        items = format_html_join(
            "",
            "<li>{} {}{}</li>",
            ((also, figure_text(other.figure), source_ref(other.number)) for other in value.alternatives),
        )
        html += format_html('<ul class="alternatives list-unstyled small mb-0">{}</ul>', items)
    return html


@register.filter
def qualified_total(total):
    """`{{ total|qualified_total }}`: a FigureTotal as "at least 3,105", and below it what makes it approximate or a
    lower bound ("2 approximate, 1 unknown")."""
    caveat = total.caveat()
    html = conditional_escape(figure_text(total.figure))
    if caveat:
        html += format_html('<span class="d-block small text-body-secondary total-caveat">{}</span>', caveat)
    return html


# The dashboard's per-country rows, written in Python for the reason `reported` is: an operation naming 249 countries
# has ~1,250 rows over its tables, and the template's variable lookups were most of its rendering time.


def _country_heading(row) -> str:
    return (
        f'<tr data-iso2="{conditional_escape(row.country.iso2)}"><th scope="row">{conditional_escape(row.country)}</th>'
    )


@register.filter
def country_row(row):
    """`{{ row|country_row }}`: a participating country's row of the dashboard's countries table (role and every
    metric's reported value)."""
    cells = "".join(f'<td class="figure-cell">{conditional_escape(reported(value))}</td>' for _, value in row.cells)
    role = conditional_escape(row.participation.get_role_display())
    return mark_safe(f"{_country_heading(row)}<td>{role}</td>{cells}</tr>")


@register.filter
def breakdown_row(row_and_value):
    """`{{ row_and_value|breakdown_row }}`: a country's row of one metric's table beside its bar chart."""
    row, value = row_and_value
    return mark_safe(f'{_country_heading(row)}<td class="figure-cell">{conditional_escape(reported(value))}</td></tr>')
