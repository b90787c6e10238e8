"""Writes that must keep things in sync: recording reported figures, choosing the preferred one, refreshing the
denormalised preferred values on operations and participations and the kept per-country totals."""

import contextvars
import datetime
import logging
import secrets
from contextlib import contextmanager
from dataclasses import dataclass
from types import SimpleNamespace

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .figures import Figure, Metric, Qualifier, total_aggregates
from .models import (
    METRICS,
    Country,
    CountryTotal,
    DataVersion,
    ExportLog,
    Operation,
    Origin,
    Participation,
    RegionTotal,
    ReportedFigure,
)

logger = logging.getLogger(__name__)

# The denormalised preferred figure per metric: value, qualifier and the source's id (attnames, so reading or writing
# them never loads a Source).
FIGURE_FIELDS = [
    name for metric in METRICS for name in (metric.value, f"{metric.value}_qualifier", f"{metric.value}_source_id")
]
_UNKNOWN = (None, "", None)  # an unknown figure: no value, no qualifier, no source


def data_changed() -> None:
    """Give the data a new version token: every rendering cached under the old one (operations/caching.py) is dead.

    Called by every service below that writes what the pages show, and by signals.py for plain ORM saves and
    deletes. Inside the writing transaction, so the token and the data it stands for commit (or roll back) together.
    """
    token = secrets.randbits(62)
    if not DataVersion.objects.filter(pk=1).update(token=token):
        DataVersion.objects.update_or_create(pk=1, defaults={"token": token})


def bump_version(operation_id) -> None:
    """Mark an operation as changed, so an admin form opened before this write is refused (optimistic concurrency)."""
    Operation.objects.filter(pk=operation_id).update(version=F("version") + 1)
    data_changed()


def refresh_preferred_figures(operation: Operation) -> None:
    """Copy the preferred reported figures (value, qualifier, source) onto the operation and its participations (NULL
    where none is preferred).

    Three queries whatever the operation's size: read preferred figures, update the operation, bulk-update the
    participations (and one for the data version)."""
    data_changed()
    preferred = ReportedFigure.objects.filter(operation=operation, is_preferred=True).values_list(
        "participation_id", "metric", "value", "qualifier", "source_id"
    )
    by_slot = {
        (participation_id, metric): (value, qualifier, source_id)
        for participation_id, metric, value, qualifier, source_id in preferred
    }

    def apply(target, participation_id):
        changed = False
        for metric in METRICS:
            wanted = by_slot.get((participation_id, metric.value), _UNKNOWN)
            names = (metric.value, f"{metric.value}_qualifier", f"{metric.value}_source_id")
            if tuple(getattr(target, name) for name in names) != wanted:
                for name, value in zip(names, wanted, strict=True):
                    setattr(target, name, value)
                changed = True
        return changed

    if apply(operation, None):
        Operation.objects.filter(pk=operation.pk).update(**{name: getattr(operation, name) for name in FIGURE_FIELDS})
    participations = list(operation.participations.all())
    changed = [participation for participation in participations if apply(participation, participation.pk)]
    if changed:
        Participation.objects.bulk_update(changed, FIGURE_FIELDS)
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


# CountryTotal's columns as total_aggregates() names them, counting a country's participations as its operations.
TOTAL_FIELDS = list(total_aggregates(count="operations"))


def compute_country_totals(country_ids=None) -> dict:
    """{country_id: {field: value}} fresh from the participations (all countries when `country_ids` is None)."""
    participations = Participation.objects.order_by()
    if country_ids is not None:
        participations = participations.filter(country_id__in=country_ids)
    rows = {}
    for row in participations.values("country_id").annotate(**total_aggregates(count="operations")):
        country_id = row.pop("country_id")
        # PostgreSQL sums a bigint column as numeric (Decimal); a figure is a whole number.
        rows[country_id] = {name: None if value is None else int(value) for name, value in row.items()}
    return rows


def refresh_country_totals(country_ids=None) -> None:
    """Recompute the kept totals of these countries (every country when None): one GROUP BY, one upsert, one delete
    of countries that no longer take part in anything."""
    data_changed()
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
    data_changed()
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
    if pending:  # nothing touched: no regrouping, and no new data version
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


def refresh_preferred_figures_bulk(operation_ids) -> None:
    """refresh_preferred_figures() for many operations at once (the importer): a few queries per 500 operations
    instead of three per operation.

    The changed rows are written with one executemany of a plain parameterised UPDATE per table: Django's
    bulk_update builds a CASE WHEN per field and row, which took 47 s of a 2,000-operation import (measured)."""
    data_changed()
    operation_ids = sorted(set(operation_ids))
    for start in range(0, len(operation_ids), 500):
        chunk = operation_ids[start : start + 500]
        by_slot = {
            (operation_id, participation_id, metric): (value, qualifier, source_id)
            for operation_id, participation_id, metric, value, qualifier, source_id in ReportedFigure.objects.filter(
                operation_id__in=chunk, is_preferred=True
            ).values_list("operation_id", "participation_id", "metric", "value", "qualifier", "source_id")
        }
        # Plain tuples, not model instances: building 100,000 instances was the import's largest cost (measured).
        for model, key_of in ((Operation, lambda row: (row[0], None)), (Participation, lambda row: (row[1], row[0]))):
            columns = ("pk", "operation_id") if model is Participation else ("pk",)
            filter_by = {"operation_id__in": chunk} if model is Participation else {"pk__in": chunk}
            changed = []
            for row in model.objects.filter(**filter_by).order_by().values_list(*columns, *FIGURE_FIELDS):
                key = key_of(row)
                current = row[len(columns) :]
                wanted = []
                for metric in METRICS:
                    wanted.extend(by_slot.get((*key, metric.value), _UNKNOWN))
                if tuple(wanted) != tuple(current):
                    changed.append([*wanted, row[0]])
            _update_rows(model, changed)
    # The importer creates participations and figures in bulk (no signals): refresh the kept totals of every country
    # these operations name, once.
    country_totals_changed(
        Participation.objects.filter(operation_id__in=operation_ids).order_by().values_list("country_id", flat=True)
    )


def _update_rows(model, rows) -> None:
    """Write [*FIGURE_FIELDS values, pk] rows in one executemany (portable SQL: quoted names, %s params)."""
    if not rows:
        return
    from django.db import connection

    quote = connection.ops.quote_name
    columns = [model._meta.get_field(name).column for name in FIGURE_FIELDS]
    sql = (
        f"UPDATE {quote(model._meta.db_table)} SET {', '.join(f'{quote(column)} = %s' for column in columns)}"
        f" WHERE {quote(model._meta.pk.column)} = %s"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def link_many(through, left, right, pairs) -> None:
    """Add many-to-many links (e.g. operation-source) that are not there yet: one query per 500 left ids to skip
    the existing ones, then one executemany. Portable, unlike INSERT ... ON CONFLICT / OR IGNORE."""
    data_changed()
    from django.db import DEFAULT_DB_ALIAS, connections

    pairs = set(pairs)
    left_ids = sorted({pair[0] for pair in pairs})
    for start in range(0, len(left_ids), 500):
        existing = through.objects.filter(**{f"{left}__in": left_ids[start : start + 500]}).values_list(left, right)
        pairs -= set(existing)
    if not pairs:
        return
    connection = connections[DEFAULT_DB_ALIAS]
    quote = connection.ops.quote_name
    columns = [through._meta.get_field(name).column for name in (left, right)]
    sql = f"INSERT INTO {quote(through._meta.db_table)} ({', '.join(map(quote, columns))}) VALUES (%s, %s)"
    with connection.cursor() as cursor:
        cursor.executemany(sql, sorted(pairs))


# Natural keys (unique in the database) by which insert_with_history() finds the ids of the rows it inserted.
NATURAL_KEYS = {
    Operation: ("name",),
    Participation: ("operation_id", "country_id"),
    ReportedFigure: ("operation_id", "participation_id", "metric", "source_id", "value", "qualifier"),
}


def insert_with_history(model, objs, *, user=None, change_reason=None, key_fields=None, batch_size=1000) -> None:
    """Insert many new rows and their "+" history records (the importer), then set each object's pk. `objs` are
    model instances or plain objects with every concrete field's attname (types.SimpleNamespace).

    simple_history's bulk_create_with_history goes through QuerySet.bulk_create, whose per-value compilation took
    27 of the 38 s of a 2,000-operation import (measured). This sends one executemany of a plain parameterised
    INSERT per table, with values prepared by each field (get_db_prep_save), so it is the same SQL on SQLite and
    PostgreSQL; the ids come back through the natural key, not RETURNING. Rows must be new and their keys unique."""
    data_changed()
    if not objs:
        return
    from django.db import DEFAULT_DB_ALIAS, connections

    connection = connections[DEFAULT_DB_ALIAS]  # the wrapper itself: the proxy costs a lookup per attribute
    key_fields = key_fields or NATURAL_KEYS[model]
    quote = connection.ops.quote_name
    now = timezone.now()

    def insert(table_model, fields, rows):
        sql = (
            f"INSERT INTO {quote(table_model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)})"
            f" VALUES ({', '.join(['%s'] * len(fields))})"
        )
        with connection.cursor() as cursor:
            for start in range(0, len(rows), batch_size):
                cursor.executemany(sql, rows[start : start + batch_size])

    def value_getter(field, special=None):
        """How to read one field's database value from an object; only dates need the backend's adaptation."""
        if special is not None and field.attname in special:
            value = special[field.attname]
            prepared = field.get_db_prep_save(value, connection) if value is not None else None
            return lambda obj: prepared
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            prepared = field.get_db_prep_save(now, connection)  # one timestamp for the whole batch

            def stamp(obj):
                setattr(obj, field.attname, now)
                return prepared

            return stamp
        if field.get_internal_type() in {"DateField", "DateTimeField", "DecimalField", "JSONField", "UUIDField"}:
            return lambda obj: field.get_db_prep_save(getattr(obj, field.attname), connection)
        attname = field.attname
        return lambda obj: getattr(obj, attname)

    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    getters = [value_getter(f) for f in fields]
    insert(model, fields, [[get(obj) for get in getters] for obj in objs])
    first = key_fields[0]
    wanted = sorted({getattr(obj, first) for obj in objs}, key=str)
    ids = {}
    for start in range(0, len(wanted), 500):
        for row in model._base_manager.filter(**{f"{first}__in": wanted[start : start + 500]}).values_list(
            *key_fields, "pk"
        ):
            ids[row[:-1]] = row[-1]
    for obj in objs:
        setattr(obj, model._meta.pk.attname, ids[tuple(getattr(obj, name) for name in key_fields)])
        if hasattr(obj, "_state"):
            obj._state.adding, obj._state.db = False, "default"
    history_model = model.history.model
    special = {
        "history_date": now,
        "history_type": "+",
        "history_change_reason": change_reason,
        "history_user_id": user.pk if user else None,
    }
    history_fields = [f for f in history_model._meta.concrete_fields if f.attname != "history_id"]
    getters = [value_getter(f, special) for f in history_fields]
    insert(history_model, history_fields, [[get(obj) for get in getters] for obj in objs])


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


@transaction.atomic
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
    existing = ReportedFigure.objects.filter(
        operation=operation,
        participation=participation,
        metric=Metric(metric),
        source=source,
        value=figure.value,
        qualifier=figure.qualifier,
    ).first()
    if existing is not None:
        ReportedFigure.objects.filter(
            operation=operation, participation=participation, metric=existing.metric, is_preferred=True
        ).exclude(pk=existing.pk).update(is_preferred=False)
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


@transaction.atomic
def record_figures_bulk(reports: list[FigureReport], *, origin: str, user=None, change_reason: str = "") -> int:
    """Record many figures as the preferred values of their slots (the importer), with history, then refresh the
    denormalised values of every operation touched. Same rules as enter_figure(); a few queries per 500 figures
    instead of five per figure, which is what makes a 100,000-row import fit in a minute."""
    if not reports:
        return 0
    operation_ids = {report.operation.pk for report in reports}
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
    for start in range(0, len(to_unprefer), 500):
        ReportedFigure.objects.filter(pk__in=to_unprefer[start : start + 500]).update(is_preferred=False)
    for start in range(0, len(to_prefer), 500):
        chunk = [figure.pk for figure in to_prefer[start : start + 500]]
        ReportedFigure.objects.filter(pk__in=chunk).update(is_preferred=True)
    insert_with_history(ReportedFigure, to_create, user=user, change_reason=change_reason or None)
    refresh_preferred_figures_bulk(operation_ids)
    return len(to_create) + len(to_prefer)


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
    change_reason: str = "",
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
    reported = ReportedFigure(
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
    reported._change_reason = change_reason or None
    reported.save(force_insert=True)
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
    with transaction.atomic():
        for (figure,) in slots.values():
            set_preferred(figure)
            bump_version(figure.operation_id)
    return len(slots)


def delete_reported_figures(queryset) -> None:
    """Delete reported values one by one, so each deletion is recorded in the history; then refresh the operations
    they belonged to."""
    operations = {figure.operation for figure in queryset.select_related("operation")}
    for figure in queryset:
        figure.delete()
    for operation in operations:
        figures_changed(operation)


def _storable(text: str) -> str:
    return text.replace("\x00", "\ufffd")


def start_export_log(*, user, table: str, path: str, export_format: str, query: dict) -> ExportLog:
    """Record that `user` started exporting `table` with these filters; finish_export_log() adds the row count."""
    # PostgreSQL cannot store NUL in text or JSON; a query string may carry one (found by fuzzing: a 500 on PostgreSQL).
    query = {_storable(key): [_storable(value) for value in values] for key, values in query.items()}
    path = _storable(path)
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


# Cascade deletions are recorded just before the operation's own deletion record; this window collects them without
# reviving a country or figure an editor had deleted separately long before.
CASCADE_WINDOW_SECONDS = 60


@transaction.atomic
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
    for model in (Participation, ReportedFigure):
        latest = {}
        for row in model.history.filter(operation_id=operation_id, history_date__gte=since).order_by("history_date"):
            latest[row.id] = row
        for row in latest.values():
            if row.history_type == "-" and not model.objects.filter(pk=row.id).exists():
                instance = row.instance
                instance._history_user, instance._change_reason = user, reason
                instance.save(force_insert=True)
    refresh_preferred_figures(operation)
    # Restored participations already carry their preferred values, so refresh their countries' totals explicitly.
    country_totals_changed(operation.participations.values_list("country_id", flat=True))
    return operation
