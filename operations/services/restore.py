"""Undoing an operation's deletion from the history, with its countries and figures."""

import datetime

from django.utils import timezone

from ..models import (
    Operation,
    Participation,
    ReportedFigure,
)
from .bulk import record_history
from .implicit import restore_implicit_reports
from .refresh import changes, refresh_country_totals, refresh_preferred_figures

# Cascade deletions are recorded just before the operation's own deletion record; this window collects them without
# reviving a country or figure an editor had deleted separately long before.
CASCADE_WINDOW_SECONDS = 60


@changes()
def restore_deleted_operation(operation_id: int, *, user=None) -> Operation | None:
    """Undo the deletion of an operation: bring back its row, its sources and forms of exploitation, and the countries
    and figures deleted with it, from the history; then refresh the preferred values. None if there is nothing to
    restore."""
    record = Operation.history.filter(id=operation_id, history_type="-").order_by("-history_date").first()
    if record is None or Operation.objects.filter(pk=operation_id).exists():
        return None
    deleted_at = record.history_date
    since = deleted_at - datetime.timedelta(seconds=CASCADE_WINDOW_SECONDS)
    reason = "restored after deletion"
    operation = record.instance
    operation._history_user, operation._change_reason = user, reason
    operation.version += 1
    operation.save(force_insert=True)
    operation.sources.set([row.source_id for row in record.sources.all()])
    operation.exploitation_forms.set([row.exploitationform_id for row in record.exploitation_forms.all()])
    restored = []
    for model in (Participation, ReportedFigure):
        latest = {}
        for row in model.history.filter(operation_id=operation_id, history_date__gte=since).order_by("history_date"):
            latest[row.id] = row
        for row in latest.values():
            if row.history_type == "-" and not model.objects.filter(pk=row.id).exists():
                instance = row.instance
                instance._history_user, instance._change_reason = user, reason
                instance.save(force_insert=True)
                if model is Participation:
                    restored.append(instance.pk)
    # Country rows whose figures were implicit (services.implicit) come back with their preferred columns and no
    # figure row: their reports are made rows, recorded as restored.
    now = timezone.now()
    figure_ids = restore_implicit_reports(restored, now=now)
    if figure_ids:
        record_history(ReportedFigure, figure_ids, history_type="+", user=user, change_reason=reason, now=now)
    refresh_preferred_figures(operation)
    # Restored participations already carry their preferred values, so refresh their countries' totals explicitly.
    refresh_country_totals(operation.participations.values_list("country_id", flat=True))
    return operation
