"""Read-side queries (selectors) for pages: every join or aggregate a page needs lives here."""

from .models import Operation


def operations_with_headline_figures():
    """Operations with their preferred figures and the number of countries the sources name, newest first."""
    return Operation.objects.for_list()
