"""Template filters that display figures through the Figure type (never by hand in a template)."""

from django import template

from operations.figures import Figure, FigureTotal

register = template.Library()


@register.filter
def figure(obj, metric):
    """`{{ operation|figure:"victims_rescued" }}` -> "nearly 700" (compact form; unknown is "—")."""
    return obj.figure(metric).short()


@register.filter
def figure_long(value):
    """`{{ some_figure|figure_long }}` -> "more than 10,000"; accepts a Figure or a FigureTotal."""
    if isinstance(value, (Figure, FigureTotal)):
        return str(value)
    return "—" if value is None else str(Figure(value))
