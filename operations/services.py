"""Writes that must keep things in sync: recording reported figures, choosing the preferred one, refreshing the
denormalised preferred values on operations and participations and the kept per-country totals."""

import contextvars
import logging
from contextlib import contextmanager

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from .figures import LOWER_BOUND, Figure, Metric, Qualifier
from .models import (
    METRICS,
    Country,
    CountryTotal,
    ExportLog,
    Operation,
    Origin,
    Participation,
    RegionTotal,
    ReportedFigure,
)

logger = logging.getLogger(__name__)


def refresh_preferred_figures(operation: Operation) -> None:
    """Copy the preferred reported figures onto the operation and its participations (NULL where none is preferred).

    Three queries whatever the operation's size: read preferred figures, update the operation, bulk-update the
    participations."""
    preferred = ReportedFigure.objects.filter(operation=operation, is_preferred=True).values_list(
        "participation_id", "metric", "value", "qualifier"
    )
    by_slot = {
        (participation_id, metric): (value, qualifier) for participation_id, metric, value, qualifier in preferred
    }

    def apply(target, participation_id):
        changed = False
        for metric in METRICS:
            value, qualifier = by_slot.get((participation_id, metric.value), (None, ""))
            if getattr(target, metric.value) != value or getattr(target, f"{metric.value}_qualifier") != qualifier:
                setattr(target, metric.value, value)
                setattr(target, f"{metric.value}_qualifier", qualifier)
                changed = True
        return changed

    figure_fields = [name for metric in METRICS for name in (metric.value, f"{metric.value}_qualifier")]
    if apply(operation, None):
        Operation.objects.filter(pk=operation.pk).update(**{name: getattr(operation, name) for name in figure_fields})
    participations = list(operation.participations.all())
    changed = [participation for participation in participations if apply(participation, participation.pk)]
    if changed:
        Participation.objects.bulk_update(changed, figure_fields)
        country_totals_changed(participation.country_id for participation in changed)


# --- Kept aggregates: per-country totals ----------------------------------------------------------------------
#
# /countries/ and the overview show, per country, the number of operations and the qualified total of each metric.
# Grouping a million participations per request takes ~130 ms in SQLite alone, so the totals are kept in
# CountryTotal and refreshed on every write that can change them: a GROUP BY restricted to the countries the write
# touched (a few thousand rows), in the same transaction as the write. Every path leads here:
# - refresh_preferred_figures() (record_figure, set_preferred, the reference loader, the admin) refreshes the
#   countries whose preferred values changed;
# - delete_participation() / delete_operation() / delete_figure() below, which the admin and the importer call;
# - the post_save / post_delete receivers in signals.py, a safety net for code that saves or deletes a Participation
#   directly (a shell, a future admin action), including a participation moved to another country;
# - `manage.py rebuild_totals` recomputes every country (after a bulk load, or to check: it reports differences).

_deferred_countries = contextvars.ContextVar("deferred_country_totals", default=None)


def _total_aggregates():
    aggregates = {"operations": Count("pk")}
    for metric in METRICS:
        value, qualifier = metric.value, f"{metric.value}_qualifier"
        aggregates[f"{value}_sum"] = Sum(value)
        aggregates[f"{value}_known"] = Count(value)
        aggregates[f"{value}_approx"] = Count(value, filter=Q(**{qualifier: Qualifier.APPROX}))
        aggregates[f"{value}_lower_bound"] = Count(value, filter=Q(**{f"{qualifier}__in": sorted(LOWER_BOUND)}))
    return aggregates


TOTAL_FIELDS = list(_total_aggregates())


def compute_country_totals(country_ids=None) -> dict:
    """{country_id: {field: value}} fresh from the participations (all countries when `country_ids` is None)."""
    participations = Participation.objects.order_by()
    if country_ids is not None:
        participations = participations.filter(country_id__in=country_ids)
    rows = {}
    for row in participations.values("country_id").annotate(**_total_aggregates()):
        country_id = row.pop("country_id")
        # PostgreSQL sums a bigint column as numeric (Decimal); a figure is a whole number.
        rows[country_id] = {name: None if value is None else int(value) for name, value in row.items()}
    return rows


def refresh_country_totals(country_ids=None) -> None:
    """Recompute the kept totals of these countries (every country when None): one GROUP BY, one upsert, one delete
    of countries that no longer take part in anything."""
    if country_ids is not None:
        country_ids = sorted({country_id for country_id in country_ids if country_id is not None})
        if not country_ids:
            return
    fresh = compute_country_totals(country_ids)
    with transaction.atomic():
        kept = CountryTotal.objects.all() if country_ids is None else CountryTotal.objects.filter(pk__in=country_ids)
        operations_before = dict(kept.values_list("country_id", "operations"))
        kept.exclude(country_id__in=list(fresh)).delete()
        CountryTotal.objects.bulk_create(
            [CountryTotal(country_id=country_id, **values) for country_id, values in fresh.items()],
            update_conflicts=True,
            unique_fields=["country"],
            update_fields=TOTAL_FIELDS,
            batch_size=500,
        )
        # A region's number of distinct operations changes only when a country's number of operations does (a
        # participation added, removed or moved), not when a figure is edited.
        moved = {
            country_id
            for country_id in operations_before.keys() | fresh.keys()
            if operations_before.get(country_id) != fresh.get(country_id, {}).get("operations")
        }
        if country_ids is None:
            refresh_region_totals()
        elif moved:
            refresh_region_totals(set(Country.objects.filter(pk__in=moved).values_list("region", flat=True)))


def compute_region_totals(regions=None) -> dict:
    """{region: number of distinct operations naming a country of it}, fresh from the participations."""
    participations = Participation.objects.order_by()
    if regions is not None:
        participations = participations.filter(country__region__in=regions)
    return dict(
        participations.values("country__region")
        .annotate(operations=Count("operation", distinct=True))
        .values_list("country__region", "operations")
    )


def refresh_region_totals(regions=None) -> None:
    """Recompute the kept distinct-operation counts of these regions (all when None)."""
    if regions is not None and not regions:
        return
    fresh = compute_region_totals(regions)
    kept = RegionTotal.objects.all() if regions is None else RegionTotal.objects.filter(region__in=regions)
    kept.exclude(region__in=list(fresh)).delete()
    RegionTotal.objects.bulk_create(
        [RegionTotal(region=region, operations=operations) for region, operations in fresh.items()],
        update_conflicts=True,
        unique_fields=["region"],
        update_fields=["operations"],
    )


def country_totals_changed(country_ids) -> None:
    """Refresh these countries' totals now, or at the end of the enclosing deferred_country_totals() block."""
    pending = _deferred_countries.get()
    if pending is not None:
        pending.update(country_ids)
    else:
        refresh_country_totals(country_ids)


@contextmanager
def deferred_country_totals():
    """Collect the countries every write inside the block touches and refresh each once at its end (a bulk write
    or a cascade of deletions would otherwise regroup the same country many times). Nested blocks join the outer."""
    if _deferred_countries.get() is not None:
        yield
        return
    pending = set()
    token = _deferred_countries.set(pending)
    try:
        yield
    finally:
        _deferred_countries.reset(token)
    refresh_country_totals(pending)


@transaction.atomic
def delete_participation(participation: Participation) -> None:
    """Remove a country from an operation, with its figures; the operation's and the country's figures follow."""
    operation = participation.operation
    with deferred_country_totals():
        participation.delete()
        country_totals_changed([participation.country_id])
        refresh_preferred_figures(operation)


@transaction.atomic
def delete_operation(operation: Operation) -> None:
    """Delete an operation with its countries and figures; the totals of every country it named are refreshed once."""
    with deferred_country_totals():
        country_totals_changed(operation.participations.values_list("country_id", flat=True))
        operation.delete()


@transaction.atomic
def delete_figure(reported: ReportedFigure) -> None:
    """Delete one reported value; the figure it was preferred for becomes unknown unless another value is chosen."""
    operation = reported.operation
    reported.delete()
    refresh_preferred_figures(operation)


@transaction.atomic
def record_figure(
    *,
    operation: Operation,
    metric: Metric | str,
    figure: Figure,
    source,
    participation: Participation | None = None,
    quote: str = "",
    preferred: bool | None = None,
    origin: str = Origin.MANUAL,
    reference_key: str = "",
    user=None,
    refresh: bool = True,
) -> ReportedFigure:
    """Record what one source reports for one figure. `preferred=None` makes it preferred only if the figure has no
    preferred value yet, so a second, conflicting source is kept beside the first without replacing it."""
    if figure.value is None:
        raise ValueError("an unknown figure is not recorded: leave it out")
    metric = Metric(metric)
    slot = ReportedFigure.objects.filter(operation=operation, participation=participation, metric=metric)
    has_preferred = slot.filter(is_preferred=True).exists()
    make_preferred = (not has_preferred) if preferred is None else preferred
    if make_preferred and has_preferred:
        slot.filter(is_preferred=True).update(is_preferred=False)
    reported = ReportedFigure.objects.create(
        operation=operation,
        participation=participation,
        metric=metric,
        value=figure.value,
        qualifier=figure.qualifier,
        source=source,
        quote=quote,
        is_preferred=make_preferred,
        origin=origin,
        reference_key=reference_key,
        updated_by=user,
    )
    if refresh:
        refresh_preferred_figures(operation)
    return reported


@transaction.atomic
def set_preferred(reported: ReportedFigure) -> None:
    """Make this reported value the one tables, totals and dashboards show for its figure."""
    ReportedFigure.objects.filter(
        operation=reported.operation_id,
        participation=reported.participation_id,
        metric=reported.metric,
        is_preferred=True,
    ).exclude(pk=reported.pk).update(is_preferred=False)
    if not reported.is_preferred:
        reported.is_preferred = True
        reported.save(update_fields=["is_preferred", "updated_at"])
    refresh_preferred_figures(reported.operation)


def start_export_log(*, user, table: str, path: str, export_format: str, query: dict) -> ExportLog:
    """Record that `user` started exporting `table` with these filters; finish_export_log() adds the row count."""
    return ExportLog.objects.create(
        user=user if user.is_authenticated else None,
        username=user.get_username(),
        table=table,
        path=path[:500],
        format=export_format,
        query=query,
    )


def finish_export_log(log: ExportLog, rows: int, error: BaseException | None = None) -> None:
    """Record how many rows the export sent and whether it reached the end."""
    log.row_count = rows
    log.status = ExportLog.Status.COMPLETE if error is None else ExportLog.Status.FAILED
    log.finished_at = timezone.now()
    log.save(update_fields=["row_count", "status", "finished_at"])
    if error is None:
        logger.info("export %s by %s: %d rows (%s)", log.table, log.username, rows, log.format)
    else:
        logger.warning("export %s by %s FAILED after %d rows: %r", log.table, log.username, rows, error)
