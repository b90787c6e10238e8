"""An operation's period shown at the precision its sources give: "12–17 June 2022", "May–June 2023", "2021"."""

from django.utils.formats import date_format
from django.utils.translation import gettext, pgettext

from .models import DatePrecision


def operation_period(operation, *, unknown=None) -> str:
    """An operation's period, as every page shows it (lists, /compare/, its dashboard)."""
    return format_period(operation.start_date, operation.end_date, operation.date_precision, operation.year, unknown)


def format_period(start, end, precision, year=None, unknown=None) -> str:
    """The period as a reader would write it, never more precise than the sources (no invented days); `unknown`
    (default "date unknown") when neither a date nor a year is known."""
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
    return gettext("date unknown") if unknown is None else unknown


def format_day(day) -> str:
    """One day as the language writes it: "3 April 2018", "3 de abril de 2018", "3 avril 2018"."""
    return date_format(day, _day_month_year())


# Date formats (Django's format characters) each language words dates with: "3 avril 2018", "3 de abril de 2018".
def _day_month_year():
    return pgettext("date format", "j F Y")


def _day_month():
    return pgettext("date format", "j F")


def _month_year():
    return pgettext("date format", "F Y")


def _day_period(start, end):
    if start == end:
        return date_format(start, _day_month_year())
    if (start.year, start.month) == (end.year, end.month):
        return f"{date_format(start, 'j')}\u2013{date_format(end, _day_month_year())}"
    if start.year == end.year:
        return f"{date_format(start, _day_month())} \u2013 {date_format(end, _day_month_year())}"
    return f"{date_format(start, _day_month_year())} \u2013 {date_format(end, _day_month_year())}"


def _month_period(start, end):
    if (start.year, start.month) == (end.year, end.month):
        return date_format(start, _month_year())
    if start.year == end.year:
        return f"{date_format(start, 'F')}\u2013{date_format(end, _month_year())}"
    return f"{date_format(start, _month_year())} \u2013 {date_format(end, _month_year())}"
