"""Kept values compared with a fresh computation: the denormalised preferred values (from the reported figures) and
the kept per-country and per-region totals (from the participations)."""

from django.db.models import Count, Q, Sum

from operations.figures import LOWER_BOUND, Qualifier
from operations.models import METRICS, CountryTotal, Participation, RegionTotal, ReportedFigure


def fresh_preferred(operation):
    """What the denormalised columns should hold, computed directly from ReportedFigure."""
    expected = {}
    for figure in ReportedFigure.objects.filter(operation=operation, is_preferred=True):
        expected[(figure.participation_id, figure.metric)] = (figure.value, figure.qualifier, figure.source_id)
    return expected


def assert_in_sync(operation):
    """Value, qualifier and source of every preferred figure of the operation and its countries, as kept on the rows,
    equal a fresh computation; an unknown figure has none of the three."""
    operation.refresh_from_db()
    expected = fresh_preferred(operation)
    targets = [(None, operation), *[(p.pk, p) for p in operation.participations.all()]]
    for participation_id, target in targets:
        for metric in METRICS:
            value, qualifier, source_id = expected.get((participation_id, metric.value), (None, "", None))
            kept = (
                getattr(target, metric.value),
                getattr(target, f"{metric.value}_qualifier"),
                getattr(target, f"{metric.value}_source_id"),
            )
            assert kept == (value, qualifier, source_id), (target, metric.value)


def fresh_group_by():
    """Written independently of services.compute_country_totals: the totals straight from the participations."""
    aggregates = {"operations": Count("pk")}
    for metric in METRICS:
        aggregates[f"{metric.value}_sum"] = Sum(metric.value)
        aggregates[f"{metric.value}_known"] = Count(metric.value)
        aggregates[f"{metric.value}_approx"] = Count("pk", filter=Q(**{f"{metric.value}_qualifier": Qualifier.APPROX}))
        aggregates[f"{metric.value}_lower_bound"] = Count(
            "pk", filter=Q(**{f"{metric.value}_qualifier__in": list(LOWER_BOUND)})
        )
    return {
        row.pop("country_id"): {key: None if value is None else int(value) for key, value in row.items()}
        for row in Participation.objects.order_by().values("country_id").annotate(**aggregates)
    }


def kept():
    fields = ["operations"] + [
        f"{metric.value}_{part}" for metric in METRICS for part in ("sum", "known", "approx", "lower_bound")
    ]
    return {row.pop("country_id"): row for row in CountryTotal.objects.values("country_id", *fields)}


def fresh_region_operations():
    return {
        row["country__region"]: row["n"]
        for row in Participation.objects.order_by()
        .values("country__region")
        .annotate(n=Count("operation", distinct=True))
    }


def assert_totals_exact():
    assert kept() == fresh_group_by()
    assert dict(RegionTotal.objects.values_list("region", "operations")) == fresh_region_operations()
