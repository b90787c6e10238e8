"""Writes that must keep things in sync: recording reported figures, choosing the preferred one, refreshing the
denormalised preferred values on operations and participations."""

import logging

from django.db import transaction
from django.utils import timezone

from .figures import Figure, Metric
from .models import METRICS, ExportLog, Operation, Origin, Participation, ReportedFigure

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
