"""Corrections and history: when an operation was last corrected, what changed during an edit, deleted operations."""

from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext, pgettext_lazy

from .. import services
from ..figures import Figure, Metric
from ..models import (
    METRICS,
    Operation,
    Participation,
    ReportedFigure,
)

# --- Corrections and history (issue #5) --------------------------------------------------------------------------


# Where a person's correction of an operation is recorded, and the history column naming the operation.
_CORRECTED_IN = ((Operation, "id"), (Participation, "operation_id"), (ReportedFigure, "operation_id"))


def last_correction_annotations() -> dict:
    """Annotations for an Operation queryset: per history table, when a person last changed the operation, its
    countries or its figures, and their username (deletions count: deleting is a correction). Correlated subqueries
    on the operation's own query, so the dashboard shows its last correction without a query of its own."""
    annotations = {}
    for model, key in _CORRECTED_IN:
        latest = model.history.filter(**{key: OuterRef("pk")}, history_user__isnull=False).order_by("-history_date")
        name = model._meta.model_name
        annotations[f"corrected_{name}_at"] = Subquery(latest.values("history_date")[:1])
        annotations[f"corrected_{name}_by"] = Subquery(latest.values("history_user__username")[:1])
    return annotations


def latest_correction_of(operation):
    """(when, username) from an operation annotated with last_correction_annotations(); None when only the
    reference loader or an unattended import wrote it."""
    candidates = []
    for model, _ in _CORRECTED_IN:
        name = model._meta.model_name
        when = getattr(operation, f"corrected_{name}_at")
        if when is not None:
            candidates.append((when, getattr(operation, f"corrected_{name}_by")))
    return max(candidates, key=lambda candidate: candidate[0]) if candidates else None


def last_correction(operation):
    """(when, username) of the latest change a person made to the operation, its countries or its figures, for the
    dashboard's "last corrected on … by …"; None when only the reference loader or an unattended import wrote it.
    One query."""
    return latest_correction_of(Operation.objects.annotate(**last_correction_annotations()).get(pk=operation.pk))


# Fields an editor does not type: bookkeeping, and the denormalised preferred values (their changes show as figures).
_NOT_EDITED = {
    "version",
    *(name for m in METRICS for name in (m.value, f"{m.value}_qualifier", f"{m.value}_source")),
}
_ACTIONS = {
    "+": pgettext_lazy("history", "added"),
    "~": pgettext_lazy("history", "changed"),
    "-": pgettext_lazy("history", "deleted"),
}


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
                    text = gettext("%(field)s: changed (%(who)s)") % {"field": label, "who": who}
                    changes.append((change.field, text))
                else:
                    text = gettext("%(field)s: %(old)s → %(new)s (%(who)s)") % {
                        "field": label,
                        "old": _shown(change.old),
                        "new": _shown(change.new),
                        "who": who,
                    }
                    changes.append((change.field, text))
    # Rows an unattended import wrote since have no history record yet (services.COPY_ON_WRITE), and its country rows'
    # figures no row (services.implicit): write their rows and first versions, which they would get at their first
    # change anyway (this is a write's form), so they are listed as added.
    services.materialize_reports([operation.pk])
    services.write_baselines(
        Participation, queryset=Participation.objects.filter(operation_id=operation.pk, imported_at__gt=since)
    )
    services.write_baselines(
        ReportedFigure, queryset=ReportedFigure.objects.filter(operation_id=operation.pk, updated_at__gt=since)
    )
    for record in (
        Participation.history.filter(operation_id=operation.pk, history_date__gt=since)
        .select_related("country", "history_user")
        .order_by("history_date")
    ):
        text = gettext("%(country)s: %(action)s (%(who)s)") % {
            "country": record.country,
            "action": _ACTIONS[record.history_type],
            "who": _who(record),
        }
        changes.append((None, text))
    for record in (
        ReportedFigure.history.filter(operation_id=operation.pk, history_date__gt=since)
        .select_related("participation__country", "history_user")
        .order_by("history_date")
    ):
        where = f" ({record.participation.country})" if record.participation_id and record.participation else ""
        figure = Figure(record.value, record.qualifier)
        if record.is_preferred:
            text = gettext("%(metric)s%(where)s: %(figure)s %(action)s, preferred (%(who)s)")
        else:
            text = gettext("%(metric)s%(where)s: %(figure)s %(action)s (%(who)s)")
        values = {"metric": Metric(record.metric).label, "where": where, "figure": figure}
        changes.append((None, text % {**values, "action": _ACTIONS[record.history_type], "who": _who(record)}))
    return changes


def _who(record):
    when = record.history_date.strftime("%Y-%m-%d %H:%M UTC")
    if record.history_user:
        return gettext("by %(user)s on %(when)s") % {"user": record.history_user, "when": when}
    return gettext("on %(when)s") % {"when": when}


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
