"""Read-side queries (selectors) for pages: every join or aggregate a page needs lives here."""

from .figures import Figure, Metric
from .models import METRICS, Operation, Participation, ReportedFigure


def operations_with_headline_figures():
    """Operations with their preferred figures and the number of countries the sources name, newest first."""
    return Operation.objects.for_list()


def last_correction(operation):
    """(when, who) of the latest change a person made to the operation, its countries or its figures, for the
    dashboard's "last corrected on … by …"; None when only the reference loader or an unattended import wrote it.

    Reads the history tables (deleted countries and figures count too: deleting is a correction). Three queries."""
    candidates = []
    for history, lookup in (
        (Operation.history, {"id": operation.pk}),
        (Participation.history, {"operation_id": operation.pk}),
        (ReportedFigure.history, {"operation_id": operation.pk}),
    ):
        record = (
            history.filter(**lookup, history_user__isnull=False)
            .select_related("history_user")
            .order_by("-history_date")
            .first()
        )
        if record is not None:
            candidates.append((record.history_date, record.history_user))
    return max(candidates, key=lambda candidate: candidate[0]) if candidates else None


# Fields an editor does not type: bookkeeping, and the denormalised preferred values (their changes show as figures).
_NOT_EDITED = {"version", *(name for metric in METRICS for name in (metric.value, f"{metric.value}_qualifier"))}
_ACTIONS = {"+": "added", "~": "changed", "-": "deleted"}


def changes_since(operation, since):
    """What was recorded for an operation, its countries and its figures after `since`, newest last, as
    (field or None, sentence) pairs: the message an editor sees when a concurrent save is refused."""
    changes = []
    records = list(
        Operation.history.filter(id=operation.pk, history_date__gt=since)
        .select_related("history_user")
        .order_by("history_date")
    )
    if records:
        before = Operation.history.filter(id=operation.pk, history_date__lte=since).order_by("-history_date").first()
        after = records[-1]
        who = _who(after)
        if before is not None:
            delta = after.diff_against(before, excluded_fields=_NOT_EDITED)
            for change in delta.changes:
                label = Operation._meta.get_field(change.field).verbose_name
                if isinstance(change.new, list):  # many-to-many: lists of through rows, not worth spelling out
                    changes.append((change.field, f"{label}: changed ({who})"))
                else:
                    changes.append((change.field, f"{label}: {_shown(change.old)} → {_shown(change.new)} ({who})"))
    for record in (
        Participation.history.filter(operation_id=operation.pk, history_date__gt=since)
        .select_related("country", "history_user")
        .order_by("history_date")
    ):
        changes.append((None, f"{record.country}: {_ACTIONS[record.history_type]} ({_who(record)})"))
    for record in (
        ReportedFigure.history.filter(operation_id=operation.pk, history_date__gt=since)
        .select_related("participation__country", "history_user")
        .order_by("history_date")
    ):
        where = f" ({record.participation.country})" if record.participation_id and record.participation else ""
        figure = Figure(record.value, record.qualifier)
        changes.append(
            (
                None,
                f"{Metric(record.metric).label}{where}: {figure} {_ACTIONS[record.history_type]}"
                f"{', preferred' if record.is_preferred else ''} ({_who(record)})",
            )
        )
    return changes


def _who(record):
    when = record.history_date.strftime("%Y-%m-%d %H:%M UTC")
    return f"by {record.history_user} on {when}" if record.history_user else f"on {when}"


def _shown(value):
    if value in (None, ""):
        return "—"
    return repr(value) if isinstance(value, str) else str(value)


def deleted_operations():
    """Deleted operations that can be restored: their last history record, newest deletion first."""
    existing = Operation.objects.values("pk")
    return (
        Operation.history.filter(history_type="-")
        .exclude(id__in=existing)
        .select_related("history_user")
        .order_by("-history_date")
    )
