"""Selectors of /compare/: the operations offered for comparison and the comparison itself."""

from django.db.models import Count, F

from ..collation import sorted_by_name
from ..models import (
    METRICS,
    Operation,
    Participation,
    ReportedFigure,
)

# --- Comparison (/compare/) --------------------------------------------------------------------------------------


# The most operations /compare/'s selection lists at once (besides the chosen ones).
COMPARE_CHOICES_SHOWN = 200


def compare_choices(find: str, chosen_slugs, limit: int = COMPARE_CHOICES_SHOWN) -> tuple[list, int]:
    """The operations /compare/'s selection lists, as (slug, name) in name order, and how many match `find`: those
    whose name contains it (all operations when it is empty), the latest `limit` of them, plus any chosen ones."""
    matching = Operation.objects.all()
    if find:
        matching = matching.filter(name__icontains=find)
    latest = matching.order_by(F("start_date").desc(nulls_last=True), "name").values_list("slug", "name")[:limit]
    shown = dict(latest)
    # Chosen slugs not listed yet (the form reports the ones no operation has; NUL would fail on PostgreSQL).
    missing = [slug for slug in chosen_slugs if slug not in shown and "\x00" not in slug and len(slug) <= 200]
    if missing:
        shown.update(Operation.objects.filter(slug__in=missing).values_list("slug", "name"))
    count = matching.count() if len(latest) == limit else len(latest)
    return sorted_by_name(shown.items(), name=lambda choice: choice[1]), count


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
