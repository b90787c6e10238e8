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


# --- One refresh per transaction -------------------------------------------------------------------------------
#
# Every write path runs in `changes()`: the services (decorated with it), the importer, the admin's views
# (admin/mixins.RefreshOnce) and the drafting page. A write inside it only notes what it touched (data_changed(),
# refresh_country_totals(), also called by the receivers in signals.py); the outermost block then regroups the touched
# countries' kept totals and renews the data version once, just before its transaction commits: a bulk import or a
# cascade of deletions regroups each country once and bumps the version once. Outside any block (a shell's plain
# save(), which the receivers catch), each note refreshes at once.


class _Touched:
    """What the writes of one `changes()` block touched."""

    def __init__(self):
        self.data = False  # anything the pages show
        self.countries = set()  # countries whose kept totals need regrouping
        self.all_countries = False


_touched = contextvars.ContextVar("touched_by_this_transaction", default=None)


@contextmanager
def changes():
    """The transaction of a write (a decorator too): `transaction.atomic()` that refreshes the kept totals and the data
    version once, before it commits. Nested blocks join the outermost; a block that raises refreshes nothing (its
    transaction rolls back)."""
    if _touched.get() is not None:
        with transaction.atomic():  # a savepoint, as a nested atomic block would be
            yield
        return
    touched = _Touched()
    token = _touched.set(touched)
    try:
        with transaction.atomic():
            yield
            _touched.reset(token)
            token = None
            _refresh(touched)
    finally:
        if token is not None:
            _touched.reset(token)


def _refresh(touched) -> None:
    if touched.all_countries or touched.countries:
        _regroup_countries(None if touched.all_countries else touched.countries)
    if touched.data or touched.all_countries or touched.countries:
        _new_data_version()


def data_changed() -> None:
    """Note that what the pages show changed: the data gets a new version token once, when the enclosing `changes()`
    block commits (at once outside one), and every rendering cached under the old token (operations/caching.py) is
    dead. The token is written in the writing transaction, so it and the data it stands for commit together."""
    touched = _touched.get()
    if touched is not None:
        touched.data = True
    else:
        _new_data_version()


def _new_data_version() -> None:
    token, now = secrets.randbits(62), timezone.now()
    if not DataVersion.objects.filter(pk=1).update(token=token, changed_at=now):
        DataVersion.objects.update_or_create(pk=1, defaults={"token": token, "changed_at": now})


def bump_version(operation_id) -> None:
    """Mark an operation as changed, so an admin form opened before this write is refused (optimistic concurrency)."""
    Operation.objects.filter(pk=operation_id).update(version=F("version") + 1)
    data_changed()


@changes()
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
    # Not the country rows whose figures are implicit (services.implicit): their columns are their reports.
    participations = list(operation.participations.filter(imported_at__isnull=True))
    changed = [participation for participation in participations if apply(participation, participation.pk)]
    if changed:
        Participation.objects.bulk_update(changed, FIGURE_FIELDS)
        refresh_country_totals(participation.country_id for participation in changed)


# --- Kept aggregates: per-country totals ----------------------------------------------------------------------
#
# /countries/ and the overview show, per country, the number of operations and the qualified total of each metric.
# Grouping a million participations per request takes ~130 ms in SQLite alone, so the totals are kept in
# CountryTotal and refreshed on every write that can change them: a GROUP BY restricted to the countries the write
# touched (a few thousand rows), before the write's transaction commits (changes() above). The writes note the
# countries they touch through refresh_country_totals():
# - refresh_preferred_figures() (record_figure, set_preferred, the importer, the admin): the countries whose
#   preferred values changed;
# - the post_save / post_delete receivers in signals.py, for every Participation saved or deleted (the services'
#   deletions, cascades, a shell), including a participation moved to another country;
# - `manage.py rebuild_totals` regroups every country (after a bulk load, or to check: it reports differences).


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
    """Regroup the kept totals of these countries (every country when None) when the enclosing `changes()` block
    commits."""
    touched = _touched.get()
    if touched is None:
        with changes():
            refresh_country_totals(country_ids)
    elif country_ids is None:
        touched.all_countries = True
    else:
        touched.countries.update(country_id for country_id in country_ids if country_id is not None)


def _regroup_countries(country_ids) -> None:
    """One GROUP BY, one upsert, one delete of countries that no longer take part in anything (every country when
    `country_ids` is None); the regions' counts when a country's number of operations moved."""
    fresh = compute_country_totals(None if country_ids is None else sorted(country_ids))
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
        _regroup_regions(None)
    elif moved:
        _regroup_regions(set(Country.objects.filter(pk__in=moved).values_list("region", flat=True)))


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


def _regroup_regions(regions) -> None:
    """Recompute the kept distinct-operation counts of these regions (all when None)."""
    fresh = compute_region_totals(regions)
    kept = RegionTotal.objects.all() if regions is None else RegionTotal.objects.filter(region__in=regions)
    kept.exclude(region__in=list(fresh)).delete()
    RegionTotal.objects.bulk_create(
        [RegionTotal(region=region, operations=operations) for region, operations in fresh.items()],
        update_conflicts=True,
        unique_fields=["region"],
        update_fields=["operations"],
    )


@changes()
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
            # Not the country rows whose figures are implicit (services.implicit): their columns are their reports.
            filter_by = (
                {"operation_id__in": chunk, "imported_at__isnull": True}
                if model is Participation
                else {"pk__in": chunk}
            )
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
    refresh_country_totals(
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
