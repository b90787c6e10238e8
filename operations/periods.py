"""An operation's period shown at the precision its sources give: "12–17 June 2022", "May–June 2023", "2021"."""

from django.utils.formats import date_format
from django.utils.translation import gettext

from .models import DatePrecision


def format_period(start, end, precision, year=None) -> str:
    """The period as a reader would write it, never more precise than the sources (no invented days)."""
    end = end or start
    if precision == DatePrecision.DAY and start:
        return _day_period(start, end)
    if precision == DatePrecision.MONTH and start:
        return _month_period(start, end)
    if precision == DatePrecision.YEAR and (start or year):
        first, last = (start.year, end.year) if start else (year, year)
        return str(first) if first == last else f"{first}\u2013{last}"
    if year:
        return str(year)
    return gettext("date unknown")


def _day_period(start, end):
    if start == end:
        return date_format(start, "j F Y")
    if (start.year, start.month) == (end.year, end.month):
        return f"{date_format(start, 'j')}\u2013{date_format(end, 'j F Y')}"
    if start.year == end.year:
        return f"{date_format(start, 'j F')} \u2013 {date_format(end, 'j F Y')}"
    return f"{date_format(start, 'j F Y')} \u2013 {date_format(end, 'j F Y')}"


def _month_period(start, end):
    if (start.year, start.month) == (end.year, end.month):
        return date_format(start, "F Y")
    if start.year == end.year:
        return f"{date_format(start, 'F')}\u2013{date_format(end, 'F Y')}"
    return f"{date_format(start, 'F Y')} \u2013 {date_format(end, 'F Y')}"
