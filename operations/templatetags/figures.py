"""Template filters that display figures through the Figure type (never by hand in a template)."""

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext, pgettext

from operations.figures import Figure, FigureTotal
from operations.periods import format_day

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


def _note_ref(note) -> str:
    """The superscript "[3]" that links a figure to its footnote (note 3 of the page's list); "" for none."""
    if note is None:
        return ""
    # An f-string, not format_html: a dashboard has a marker per cell, and format_html costs five times more. Kept
    # short for the same reason: a dashboard of 119 countries with figures has ~500 of them.
    return f'<sup><a href="#note-{note.number}">[{note.number}]</a></sup>'


@register.filter
def figure_ref(value):
    """`{{ value|figure_ref }}` for a reported value (queries.ReportedValue): the figure and its footnote marker."""
    if value is None:
        return "—"
    return mark_safe(conditional_escape(str(value.figure)) + _note_ref(value.note))


@register.filter
def reported(value):
    """`{{ value|reported }}` for a dashboard or /compare/ cell (a queries.ReportedValue): the figure with its
    footnote marker and, below it, the other values sources give. A filter rather than an included template because a
    dashboard has a cell per country and metric (an operation naming 249 countries has ~1,000)."""
    html = figure_ref(value)
    others = value.note.also_reported if value is not None and value.note is not None else ()
    if others:
        text = gettext("also reported: %(figures)s") % {"figures": ", ".join(str(figure) for figure in others)}
        html += format_html('<span class="d-block small also-reported">{}</span>', text)
    return html


def _report(report) -> str:
    """One report of a figure: the source's phrase, the source (linked) and its date, and the quote that states it."""
    source = report.source
    name = f"{source.publisher}: {source.title}" if source.title else source.publisher
    html = format_html('<a href="{}">{}</a>', source.url, name) if source.url else conditional_escape(name)
    if report.stated_as:
        phrase = pgettext("quotation", "“%(text)s”") % {"text": report.stated_as}
        html = format_html('<span class="stated-as">{}</span> — {}', phrase, html)
    if source.published:
        html += ", " + conditional_escape(format_day(source.published))
    if report.quote:
        lang = format_html(' lang="{}"', source.language) if source.language else ""
        html += format_html("<blockquote{}>{}</blockquote>", lang, report.quote)
    return html


@register.filter
def figure_note(note):
    """`{{ note|figure_note }}`: a figure's footnote (a queries.FigureNote) as an <li> of the page's list: which figure
    and what the page shows, the preferred report (the source's phrase, the page, the quote), then the other reports in
    a disclosure that opens on paper (tracker.css). Lean HTML for the page-weight budget: ~240 notes on a large one."""
    metric = capfirst(note.metric.label)
    if note.subject is None:
        label = gettext("%(metric)s: %(figure)s") % {"metric": metric, "figure": note.figure}
    else:
        label = gettext("%(metric)s, %(subject)s: %(figure)s") % {
            "metric": metric,
            "subject": note.subject,
            "figure": note.figure,
        }
    html = [f'<li id="note-{note.number}">', format_html("<strong>{}</strong>", label)]
    if note.preferred:
        # "preferred" only says something beside other reports.
        badge = format_html('<span class="badge text-bg-success">{}</span> ', gettext("preferred"))
        html.append(f'<div class="preferred">{badge if note.others else ""}{_report(note.preferred)}</div>')
    if note.others:
        count = len(note.others)
        summary = ngettext("%(count)s other report", "%(count)s other reports", count) % {"count": count}
        items = "".join(f"<li>{_report(report)}</li>" for report in note.others)
        html.append(f"<details><summary>{conditional_escape(summary)}</summary><ul>{items}</ul></details>")
    html.append("</li>")
    return mark_safe("".join(html))


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
