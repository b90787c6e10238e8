"""Read-side queries (selectors) for pages: every join or aggregate a page needs lives here."""

from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce

from .figures import LOWER_BOUND, FigureTotal, Qualifier
from .models import METRICS, Country, Operation, Participation, ReportedFigure


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


# --- Qualified totals in SQL ------------------------------------------------------------------------------------
#
# A total of figures is a FigureTotal: the sum of the known parts, how many parts there are, how many are
# approximate, lower bounds ("250+", "more than") or unknown. All five come from one SQL aggregate per metric, so a
# total over a million rows is one query, and an unknown part is counted as unknown, never as zero.


def _total_aggregates(metric, path=""):
    """The five aggregates of a FigureTotal for one metric, over the rows reached by `path` ("" or "participations")."""
    prefix = f"{path}__" if path else ""
    value, qualifier = f"{prefix}{metric.value}", f"{prefix}{metric.value}_qualifier"
    rows = f"{prefix}pk"
    return {
        f"{metric.value}_total": Sum(value),
        f"{metric.value}_parts": Count(rows),
        f"{metric.value}_approx": Count(rows, filter=Q(**{qualifier: Qualifier.APPROX})),
        f"{metric.value}_lower": Count(rows, filter=Q(**{f"{qualifier}__in": list(LOWER_BOUND)})),
        f"{metric.value}_unknown": Count(rows, filter=Q(**{f"{value}__isnull": True})),
    }


def total_aggregates(path=""):
    """The aggregates of `figure_total` for every metric (annotate a queryset with them, or aggregate over it)."""
    aggregates = {}
    for metric in METRICS:
        aggregates.update(_total_aggregates(metric, path))
    return aggregates


def figure_total(row, metric) -> FigureTotal:
    """The FigureTotal for `metric` from a row (model instance or dict) carrying `total_aggregates()`' values."""
    get = row.get if isinstance(row, dict) else lambda name: getattr(row, name)
    name = metric.value if hasattr(metric, "value") else metric
    return FigureTotal(
        value=get(f"{name}_total"),
        parts=get(f"{name}_parts"),
        approximate_parts=get(f"{name}_approx"),
        lower_bound_parts=get(f"{name}_lower"),
        unknown_parts=get(f"{name}_unknown"),
    )


def figure_totals(queryset, path="") -> dict:
    """{metric: FigureTotal} over every row of `queryset` (operations or participations): one query."""
    row = queryset.order_by().aggregate(**total_aggregates(path))
    return {metric.value: figure_total(row, metric) for metric in METRICS}


# --- Operations (/operations/) -----------------------------------------------------------------------------------


def operations_for_filtering():
    """The base queryset the operation filters narrow (no annotations, so totals aggregate it directly)."""
    return Operation.objects.order_by(F("start_date").desc(nulls_last=True), "name")


def operation_rows(queryset):
    """What a row of the operations table shows, in the same one query: the named countries are counted in SQL.

    A correlated subquery, not a join + GROUP BY: at 10,000 operations x 200,000 participations on SQLite the
    join made the page query 520 ms and the paginator's count 116 ms (it had to wrap the grouped query)."""
    named = (
        Participation.objects.filter(operation=OuterRef("pk"))
        .order_by()
        .values("operation")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return queryset.annotate(countries_named=Coalesce(Subquery(named), 0))


def operation_totals(queryset) -> dict:
    return figure_totals(queryset)


# --- Results per operation and country (/results/, /countries/<iso2>/) ------------------------------------------


def results_for_filtering():
    return Participation.objects.order_by(F("operation__start_date").desc(nulls_last=True), "operation__name", "pk")


def result_rows(queryset):
    return queryset.select_related("operation", "country")


def result_totals(queryset) -> dict:
    return figure_totals(queryset)


# --- Countries (/countries/) -------------------------------------------------------------------------------------


def participating_countries():
    """Countries that took part in at least one operation."""
    return Country.objects.filter(Exists(Participation.objects.filter(country=OuterRef("pk"))))


def countries_for_filtering():
    return participating_countries().order_by("name")


def country_rows(queryset):
    """Each country with its number of operations and, per metric, the qualified total of its own figures."""
    return queryset.annotate(operations_count=Count("participations"), **total_aggregates("participations"))


def country_list_totals(queryset) -> dict:
    """Totals over every participation of the filtered countries (the footer of /countries/)."""
    return figure_totals(Participation.objects.filter(country__in=queryset.order_by().values("pk")))


def country_totals(country) -> dict:
    """{metric: FigureTotal} over one country's participations: one query."""
    return figure_totals(Participation.objects.filter(country=country))


def country_results(country):
    """A country's participations, newest operation first."""
    return results_for_filtering().filter(country=country)


def country_by_iso2(iso2):
    """The country for an ISO alpha-2 code in any case, or None."""
    if len(iso2) != 2 or not iso2.isascii() or not iso2.isalpha():
        return None
    return Country.objects.filter(iso2=iso2.upper()).first()


# --- Comparison (/compare/) --------------------------------------------------------------------------------------


def comparison(operations):
    """What /compare/ shows for 2-4 operations, in two queries: per metric a row of cells, each the preferred
    operation-wide figure with the source that gives it (None when no source gives one), and the sources numbered
    in order of first citation for the footnotes.

    Returns {"operations": [...], "countries_named": [...], "metrics": [(metric, [cell, ...])], "sources": [...]},
    a cell being {"figure": Figure, "source": Source | None, "note": int | None}."""
    operations = list(operations)
    pks = [operation.pk for operation in operations]
    named = dict(
        Participation.objects.filter(operation__in=pks)
        .order_by()
        .values("operation")
        .annotate(n=Count("pk"))
        .values_list("operation", "n")
    )
    preferred = ReportedFigure.objects.filter(
        operation__in=pks, participation__isnull=True, is_preferred=True
    ).select_related("source")
    source_of = {(figure.operation_id, figure.metric): figure.source for figure in preferred}
    notes = {}  # source pk -> footnote number
    sources = []
    rows = []
    for metric in METRICS:
        cells = []
        for operation in operations:
            source = source_of.get((operation.pk, metric.value))
            if source is not None and source.pk not in notes:
                notes[source.pk] = len(notes) + 1
                sources.append(source)
            cells.append(
                {
                    "figure": operation.figure(metric),
                    "source": source,
                    "note": notes[source.pk] if source is not None else None,
                }
            )
        rows.append((metric, cells))
    return {
        "operations": operations,
        "countries_named": [named.get(pk, 0) for pk in pks],
        "metrics": rows,
        "sources": [(notes[source.pk], source) for source in sources],
    }
