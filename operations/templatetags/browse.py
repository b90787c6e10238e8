"""Display helpers of the browsing pages (no logic of their own: they call tables.py / figures.py)."""

from django import template

from operations.tables import period_text

register = template.Library()


@register.filter
def period(operation):
    """`{{ operation|period }}` -> "2016-06-01 – 2016-06-10", or the year alone when that is all that is known."""
    return period_text(operation)
