"""Writes of reported figures: record, enter (the preferred value), choose, delete; the per-country sum check."""

from dataclasses import dataclass
from types import SimpleNamespace

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..figures import Figure, Metric, Qualifier
from ..models import (
    METRICS,
    Operation,
    Origin,
    Participation,
    ReportedFigure,
)
from .bulk import insert_with_history, record_history, write_baselines
from .implicit import materialize_reports
from .refresh import (
    bump_version,
    changes,
    refresh_country_totals,
    refresh_preferred_figures,
    refresh_preferred_figures_bulk,
)


@changes()
def delete_participation(participation: Participation) -> None:
    """Remove a country from an operation, with its figures; the operation's and the country's figures follow."""
    operation = participation.operation
    participation.delete()
    refresh_country_totals([participation.country_id])
    refresh_preferred_figures(operation)


@changes()
def delete_operation(operation: Operation) -> None:
    """Delete an operation with its countries and figures; the totals of every country it named are refreshed once."""
    refresh_country_totals(operation.participations.values_list("country_id", flat=True))
    operation.delete()


@changes()
def delete_figure(reported: ReportedFigure) -> None:
    """Delete one reported value; the figure it was preferred for becomes unknown unless another value is chosen."""
    operation = reported.operation
    reported.delete()
    refresh_preferred_figures(operation)


@dataclass(frozen=True)
class SumExcess:
    """The countries of an operation add up to more than its exact total for a metric."""

    metric: Metric
    total: int
    countries_sum: int

    def __str__(self):
        return gettext(
            "the countries' %(metric)s add up to %(sum)s, more than the operation's exact total of %(total)s"
        ) % {"metric": self.metric.label, "sum": Figure(self.countries_sum), "total": Figure(self.total)}


def country_sum_excesses(total_figures: dict, country_figures) -> list[SumExcess]:
    """Metrics where the known country figures add up to more than an EXACT operation total.

    `total_figures` maps metric -> Figure, `country_figures` is an iterable of such dicts. An approximate or
    lower-bound total may be exceeded (sources round), an unknown one cannot be."""
    excesses = []
    country_figures = list(country_figures)
    for metric in METRICS:
        total = total_figures.get(metric.value)
        if total is None or total.value is None or total.qualifier != Qualifier.EXACT:
            continue
        countries_sum = sum(
            figures[metric.value].value
            for figures in country_figures
            if figures.get(metric.value) is not None and figures[metric.value].value is not None
        )
        if countries_sum > total.value:
            excesses.append(SumExcess(metric, total.value, countries_sum))
    return excesses


@changes()
def enter_figure(
    *,
    operation: Operation,
    metric: Metric | str,
    figure: Figure,
    source,
    participation: Participation | None = None,
    user=None,
    change_reason: str = "",
    origin: str = Origin.MANUAL,
) -> ReportedFigure:
    """An editor (or an import) states the figure: it becomes the preferred value. The previous value stays as another
    report (history of what sources said); if this source already reported this very value, that report is preferred
    again rather than duplicated. Does not refresh: the caller refreshes once after all its writes."""
    materialize_reports([operation.pk])
    existing = ReportedFigure.objects.filter(
        operation=operation,
        participation=participation,
        metric=Metric(metric),
        source=source,
        value=figure.value,
        qualifier=figure.qualifier,
    ).first()
    if existing is not None:
        others = ReportedFigure.objects.filter(
            operation=operation, participation=participation, metric=existing.metric, is_preferred=True
        ).exclude(pk=existing.pk)
        write_baselines(ReportedFigure, queryset=others)
        others.update(is_preferred=False)
        if not existing.is_preferred:
            existing.is_preferred = True
            existing.updated_by = user
            existing._change_reason = change_reason or None
            existing.save(update_fields=["is_preferred", "updated_by", "updated_at"])
        return existing
    return record_figure(
        operation=operation,
        participation=participation,
        metric=metric,
        figure=figure,
        source=source,
        preferred=True,
        origin=origin,
        user=user,
        change_reason=change_reason,
        refresh=False,
    )


@dataclass
class FigureReport:
    """One figure for record_figures_bulk(): what `source` says for `metric` of `operation` (or one country)."""

    operation: Operation
    participation: Participation | None
    metric: str
    figure: Figure
    source: object


@changes()
def record_figures_bulk(reports: list[FigureReport], *, origin: str, user=None, change_reason: str = "") -> int:
    """Record many figures as the preferred values of their slots (the importer), with history, then refresh the
    denormalised values of every operation touched. Same rules as enter_figure(); a few queries per 500 figures
    instead of five per figure, which is what makes a 100,000-row import fit in a minute."""
    if not reports:
        return 0
    operation_ids = {report.operation.pk for report in reports}
    materialize_reports(operation_ids)
    existing = {}
    for start in range(0, len(sorted(operation_ids)), 500):
        chunk = sorted(operation_ids)[start : start + 500]
        for figure in ReportedFigure.objects.filter(operation_id__in=chunk).only(
            "pk", "operation_id", "participation_id", "metric", "source_id", "value", "qualifier", "is_preferred"
        ):
            existing[
                (
                    figure.operation_id,
                    figure.participation_id,
                    figure.metric,
                    figure.source_id,
                    figure.value,
                    figure.qualifier,
                )
            ] = figure
    defaults = {field.attname: field.get_default() for field in ReportedFigure._meta.concrete_fields}
    preferred_now = {}
    for figure in existing.values():
        if figure.is_preferred:
            preferred_now[(figure.operation_id, figure.participation_id, figure.metric)] = figure.pk
    to_unprefer = []
    to_create = []
    to_prefer = []
    for report in reports:
        slot = (report.operation.pk, report.participation.pk if report.participation else None, report.metric)
        key = (*slot, report.source.pk, report.figure.value, report.figure.qualifier)
        same = existing.get(key)
        if same is not None and same.is_preferred:
            continue
        if slot in preferred_now:
            to_unprefer.append(preferred_now.pop(slot))
        if same is not None:
            to_prefer.append(same)
        else:
            to_create.append(
                # A plain row, not a model instance: at 375,000 figures, instances cost more than the insert itself.
                SimpleNamespace(
                    **{
                        **defaults,
                        "operation_id": report.operation.pk,
                        "participation_id": report.participation.pk if report.participation else None,
                        "metric": report.metric,
                        "value": report.figure.value,
                        "qualifier": report.figure.qualifier,
                        "source_id": report.source.pk,
                        "is_preferred": True,
                        "origin": origin,
                        "updated_by_id": user.pk if user else None,
                    }
                )
            )
    now = timezone.now()
    write_baselines(ReportedFigure, ids=[*to_unprefer, *(figure.pk for figure in to_prefer)])
    for start in range(0, len(to_unprefer), 500):
        chunk = to_unprefer[start : start + 500]
        ReportedFigure.objects.filter(pk__in=chunk).update(is_preferred=False, updated_at=now)
    for start in range(0, len(to_prefer), 500):
        chunk = [figure.pk for figure in to_prefer[start : start + 500]]
        ReportedFigure.objects.filter(pk__in=chunk).update(is_preferred=True, updated_at=now, updated_by=user)
    # The updates above leave no history record by themselves: without one, `updated_since` would not see them.
    record_history(
        ReportedFigure,
        [*to_unprefer, *(figure.pk for figure in to_prefer)],
        user=user,
        change_reason=change_reason or None,
    )
    insert_with_history(ReportedFigure, to_create, user=user, change_reason=change_reason or None)
    refresh_preferred_figures_bulk(operation_ids)
    return len(to_create) + len(to_prefer)


@changes()
def record_figure(
    *,
    operation: Operation,
    metric: Metric | str,
    figure: Figure,
    source,
    participation: Participation | None = None,
    quote: str = "",
    stated_as: str = "",
    preferred: bool | None = None,
    origin: str = Origin.MANUAL,
    reference_key: str = "",
    user=None,
    refresh: bool = True,
    change_reason: str = "",
) -> ReportedFigure:
    """Record what one source reports for one figure. `preferred=None` makes it preferred only if the figure has no
    preferred value yet, so a second, conflicting source is kept beside the first without replacing it."""
    if figure.value is None:
        raise ValueError("an unknown figure is not recorded: leave it out")
    metric = Metric(metric)
    materialize_reports([operation.pk])
    slot = ReportedFigure.objects.filter(operation=operation, participation=participation, metric=metric)
    has_preferred = slot.filter(is_preferred=True).exists()
    make_preferred = (not has_preferred) if preferred is None else preferred
    if make_preferred and has_preferred:
        write_baselines(ReportedFigure, queryset=slot.filter(is_preferred=True))
        slot.filter(is_preferred=True).update(is_preferred=False)
    reported = ReportedFigure(
        operation=operation,
        participation=participation,
        metric=metric,
        value=figure.value,
        qualifier=figure.qualifier,
        source=source,
        quote=quote,
        stated_as=stated_as,
        is_preferred=make_preferred,
        origin=origin,
        reference_key=reference_key,
        updated_by=user,
    )
    reported._change_reason = change_reason or None
    reported.save(force_insert=True)
    if refresh:
        refresh_preferred_figures(operation)
    return reported


@changes()
def set_preferred(reported: ReportedFigure) -> None:
    """Make this reported value the one tables, totals and dashboards show for its figure."""
    others = ReportedFigure.objects.filter(
        operation=reported.operation_id,
        participation=reported.participation_id,
        metric=reported.metric,
        is_preferred=True,
    ).exclude(pk=reported.pk)
    write_baselines(ReportedFigure, queryset=others)
    others.update(is_preferred=False)
    if not reported.is_preferred:
        reported.is_preferred = True
        reported.save(update_fields=["is_preferred", "updated_at"])
    refresh_preferred_figures(reported.operation)


@changes()
def enter_figures(operation: Operation, entries, *, source, user=None, change_reason: str = "") -> None:
    """The figures an editor typed in an operation's form and its country rows, as (participation or None, metric,
    Figure) triples: each becomes the preferred value (enter_figure), the source joins the operation's sources, and
    the preferred values are refreshed once at the end."""
    for participation, metric, figure in entries:
        enter_figure(
            operation=operation,
            participation=participation,
            metric=metric,
            figure=figure,
            source=source,
            user=user,
            change_reason=change_reason,
        )
    if source is not None and entries:
        operation.sources.add(source)
    refresh_preferred_figures(operation)


@changes()
def figures_changed(operation: Operation) -> None:
    """After a reported value or a country row is written on its own: the preferred values follow, and an operation
    form opened before this write is refused (optimistic concurrency)."""
    refresh_preferred_figures(operation)
    bump_version(operation.pk)


def make_preferred(figures) -> int:
    """Make each of these reported values the preferred one for its figure; how many figures changed. Refused (a
    ValidationError, nothing written) when two of them are values of the same figure: only one can be preferred."""
    slots = {}
    for figure in figures:
        slots.setdefault((figure.operation_id, figure.participation_id, figure.metric), []).append(figure)
    if any(len(values) > 1 for values in slots.values()):
        raise ValidationError(_("Select one value per figure: only one can be preferred."))
    with changes():
        for (figure,) in slots.values():
            set_preferred(figure)
            bump_version(figure.operation_id)
    return len(slots)


@changes()
def delete_reported_figures(queryset) -> None:
    """Delete reported values one by one, so each deletion is recorded in the history; then refresh the operations
    they belonged to."""
    operations = {figure.operation for figure in queryset.select_related("operation")}
    for figure in queryset:
        figure.delete()
    for operation in operations:
        figures_changed(operation)
