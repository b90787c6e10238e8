"""Read-side queries (selectors) for pages: every join or aggregate a page needs lives here."""

from django.db.models import OuterRef, Subquery

from .models import Operation, ReportedFigure


def operations_with_headline_figures():
    """Operations with their preferred figures and the number of countries the sources name, newest first."""
    return Operation.objects.for_list()


def preferred_source_url(metric, *, of: str):
    """The source URL of the preferred figure for `metric`, as a correlated subquery on an Operation (`of="operation"`,
    the operation-wide figure) or a Participation (`of="participation"`, one country's figure).

    One indexed lookup per row inside the export's single query, never a query per row. At most one figure per slot is
    preferred (a unique constraint), so the subquery has at most one row."""
    figures = ReportedFigure.objects.filter(metric=metric, is_preferred=True)
    if of == "operation":
        figures = figures.filter(operation=OuterRef("pk"), participation__isnull=True)
    elif of == "participation":
        figures = figures.filter(participation=OuterRef("pk"))
    else:
        raise ValueError(f"no preferred figures on {of!r}")
    # order_by(): ReportedFigure's default ordering would join the operation table for nothing.
    return Subquery(figures.order_by().values("source__url")[:1])
