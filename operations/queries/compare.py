"""Selectors of /compare/: the operations offered for comparison and the comparison itself."""

from django.db.models import Count

from ..collation import sorted_by_name
from ..models import (
    METRICS,
    NEWEST_FIRST,
    Operation,
    Participation,
)
from .provenance import FigureNotes, reports_of

# --- Comparison (/compare/) --------------------------------------------------------------------------------------


# The most operations /compare/'s selection lists at once (besides the chosen ones).
COMPARE_CHOICES_SHOWN = 200


def compare_choices(find: str, chosen_slugs, limit: int = COMPARE_CHOICES_SHOWN) -> tuple[list, int]:
    """The operations /compare/'s selection lists, as (slug, name, is_verified) in name order, and how many match
    `find`: those whose name contains it (all operations when it is empty), the latest `limit` of them, plus any chosen
    ones."""
    matching = Operation.objects.all()
    if find:
        matching = matching.filter(name__icontains=find)
    latest = matching.order_by(*NEWEST_FIRST).values_list("slug", "name", "is_verified")[:limit]
    shown = {slug: (slug, name, verified) for slug, name, verified in latest}
    # Chosen slugs not listed yet (the form reports the ones no operation has; NUL would fail on PostgreSQL).
    missing = [slug for slug in chosen_slugs if slug not in shown and "\x00" not in slug and len(slug) <= 200]
    if missing:
        shown.update(
            (slug, (slug, name, verified))
            for slug, name, verified in Operation.objects.filter(slug__in=missing).values_list(
                "slug", "name", "is_verified"
            )
        )
    count = matching.count() if len(latest) == limit else len(latest)
    return sorted_by_name(shown.values(), name=lambda choice: choice[1]), count


def comparison(operations):
    """What /compare/ shows for 2-4 operations, in two queries: per metric a row of cells, each the preferred
    operation-wide figure with its footnote (the preferred report, its source and quote, and the conflicting reports),
    numbered in the order of the table.

    Returns {"operations": [...], "countries_named": [...], "metrics": [(metric, [ReportedValue, ...])],
    "notes": [FigureNote, ...]}."""
    operations = list(operations)
    pks = [operation.pk for operation in operations]
    named = dict(
        Participation.objects.filter(operation__in=pks)
        .order_by()
        .values("operation")
        .annotate(n=Count("pk"))
        .values_list("operation", "n")
    )
    notes = FigureNotes(reports_of(operation__in=pks, participation__isnull=True))
    rows = [
        (
            metric,
            [notes.value(operation, metric, operation_id=operation.pk, subject=operation) for operation in operations],
        )
        for metric in METRICS
    ]
    return {
        "operations": operations,
        "countries_named": [named.get(pk, 0) for pk in pks],
        "metrics": rows,
        "notes": notes.notes,
    }
