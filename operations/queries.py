"""Read-side queries (selectors) for pages: every join or aggregate a page needs lives here."""

from .models import Operation


def operations_with_headline_figures():
    """Operations with their preferred figures and the number of countries the sources name, newest first."""
    return Operation.objects.for_list()


# --- Kept per-country totals (issue #7) --------------------------------------------------------------------------

from .models import CountryTotal  # noqa: E402


def kept_country_totals():
    """Every country that took part in an operation, with its kept totals (one row each, no GROUP BY at read time);
    `row.figure_totals` gives {metric: FigureTotal}, `row.figure_total(metric)` one of them."""
    return CountryTotal.objects.select_related("country").order_by("country__name")
