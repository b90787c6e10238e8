"""Display helpers of the browsing pages (no logic of their own: they call periods.py / figures.py)."""

from django import template

from operations import tables
from operations.periods import operation_period

register = template.Library()


@register.filter
def period(operation):
    """`{{ operation|period }}` -> "1–10 June 2016", "May–June 2023", or the year alone when that is all that is known
    (periods.operation_period, as on the dashboard)."""
    return operation_period(operation, unknown="—")


@register.filter
def unverified_badge(operation):
    """`{{ operation|unverified_badge }}` -> the "unverified" badge of an operation resting on one unchecked report."""
    return tables.unverified_badge(operation)
