"""What follows every write: the data version, the denormalised preferred figures and the kept per-country totals."""

import contextvars
import secrets
from contextlib import contextmanager

from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone

from ..figures import total_aggregates
from ..models import (
    METRICS,
    Country,
    CountryTotal,
    DataVersion,
    Operation,
    Participation,
    RegionTotal,
    ReportedFigure,
)

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
    token, now = secrets.randbits(62), timezone.now()
    if not DataVersion.objects.filter(pk=1).update(token=token, changed_at=now):
        DataVersion.objects.update_or_create(pk=1, defaults={"token": token, "changed_at": now})


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
