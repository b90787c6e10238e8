"""Display helpers of the browsing pages (no logic of their own: they call tables.py / figures.py)."""

from django import template

from operations import tables

register = template.Library()


@register.filter
def period(operation):
    """`{{ operation|period }}` -> "2016-06-01 – 2016-06-10", or the year alone when that is all that is known."""
    return tables.period_text(operation)


@register.filter
def unverified_badge(operation):
    """`{{ operation|unverified_badge }}` -> the "unverified" badge of an operation resting on one unchecked report."""
    return tables.unverified_badge(operation)
