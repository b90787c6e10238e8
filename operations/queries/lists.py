"""Selectors of the filtered lists (/operations/, /results/, /countries/, a country page) and their qualified totals."""

from functools import lru_cache

from django.db import connections, router
from django.db.models import Count, Exists, F, OuterRef, Subquery
from django.db.models.functions import Coalesce

from ..countries import CountryResolver, name_order
from ..figures import TOTAL_PARTS, read_totals, total_aggregates
from ..models import (
    METRICS,
    NEWEST_FIRST,
    Country,
    CountryAlias,
    CountryTotal,
    Operation,
    Participation,
)

# --- Qualified totals -------------------------------------------------------------------------------------------
# Their SQL shape (aggregates, a row read back into a FigureTotal) lives in figures.py.


def figure_totals(queryset, path="") -> dict:
    """{metric: FigureTotal} over every row of `queryset` (operations or participations): one query."""
    return read_totals(queryset.order_by().aggregate(**total_aggregates(path)))


def country_resolver() -> CountryResolver:
    """Resolves the names sources use to countries, from every country and alias (two queries)."""
    return CountryResolver(Country.objects.all(), CountryAlias.objects.values_list("normalized", "country_id"))


# --- Operations (/operations/) -----------------------------------------------------------------------------------


def operations_for_filtering():
    """The base queryset the operation filters narrow (no annotations, so totals aggregate it directly)."""
    return Operation.objects.order_by(*NEWEST_FIRST)


def operation_rows(queryset):
    """What a row of the operations table shows, in the same one query: the named countries are counted in SQL.

    A correlated subquery rather than a JOIN + GROUP BY: the database counts the countries of the 50 rows shown, not of
    every operation before the LIMIT (at a million participations the GROUP BY alone took most of a second)."""
    named = (
        Participation.objects.filter(operation=OuterRef("pk"))
        .order_by()
        .values("operation")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return queryset.annotate(countries_named=Coalesce(Subquery(named), 0))


def operation_totals(queryset) -> dict:
    return figure_totals(queryset)


# --- Results per operation and country (/results/, /countries/<iso2>/) ------------------------------------------


def results_for_filtering():
    """Latest operations first (unknown dates last), then by operation name: the order kept on each row
    (Participation.operation_sort_date), which one index gives without a sort."""
    return Participation.objects.order_by("-operation_sort_date", "operation_name", "pk")


def latest_operation_names(limit: int) -> tuple:
    """The names of the `limit` latest operations, newest first (the operation filter's suggestions on every list
    page): the ORM's own SQL, compiled once per database, run without the queryset's row machinery, which was half
    of this read's ~0.5 ms for 500 names."""
    alias = router.db_for_read(Operation)
    with connections[alias].cursor() as cursor:
        cursor.execute(*_latest_operation_names_sql(alias, limit))
        return tuple(name for (name,) in cursor.fetchall())


@lru_cache(maxsize=8)
def _latest_operation_names_sql(alias, limit):
    queryset = Operation.objects.using(alias).order_by("-start_date").values_list("name")[:limit]
    return queryset.query.sql_with_params()


# Result filters that keep whole countries' participations, with the CountryTotal lookup that keeps the same countries.
_WHOLE_COUNTRY_FILTERS = {"country": "country", "region": "country__region"}


def result_totals(queryset, filters: dict | None = None) -> dict:
    """{metric: FigureTotal} over the filtered results (`filters`: the filters in use, name -> cleaned value).

    Unfiltered, or filtered only by country or region, the rows are whole countries' participations: their totals are
    then summed from the kept per-country totals (about 250 rows) instead of aggregated over the participations, which
    took a second of the first view of /results/ at a million rows. tests/test_kept_aggregates.py compares the two."""
    if filters is not None and filters.keys() <= _WHOLE_COUNTRY_FILTERS.keys():
        kept = CountryTotal.objects.filter(**{_WHOLE_COUNTRY_FILTERS[name]: value for name, value in filters.items()})
        return _summed_kept_totals(kept)
    return figure_totals(queryset)


# --- Countries (/countries/) -------------------------------------------------------------------------------------


# The countries' totals come from the kept aggregates (CountryTotal, one row per participating country, refreshed by
# services.refresh_country_totals on every write): a read of /countries/ joins 250 rows instead of grouping every
# participation. tests/test_kept_aggregates.py pins them to a fresh GROUP BY.


def participating_countries():
    """Countries that took part in at least one operation (those with a kept total)."""
    return Country.objects.filter(total__isnull=False)


def countries_for_filtering():
    return participating_countries().order_by(name_order())


def country_rows(queryset):
    """Each country with its number of operations (`operations_count`, which counts the parts of its totals) and, per
    metric, the parts of the qualified total of its own figures, read from its kept CountryTotal row."""
    kept = {f"{metric.value}_{part}": F(f"total__{metric.value}_{part}") for metric in METRICS for part in TOTAL_PARTS}
    return queryset.annotate(operations_count=F("total__operations"), **kept)


def _summed_kept_totals(kept) -> dict:
    """{metric: FigureTotal} summed over CountryTotal rows: exact, since each participation has one country.

    The rows (at most one per country, ~250) are summed here rather than by 17 SUM() aggregates in SQL: building that
    aggregate query cost ~2 ms of each uncached /results/ and /countries/ page, summing the rows a tenth of that."""
    columns = ("operations", *(f"{m.value}_{p}" for m in METRICS for p in TOTAL_PARTS))
    sums = dict.fromkeys(columns)  # None, as SQL's SUM() of no value
    for row in kept.order_by().values_list(*columns):
        for name, value in zip(columns, row, strict=True):
            if value is not None:
                sums[name] = (sums[name] or 0) + value
    return read_totals(sums, count="operations")


def country_list_totals(queryset) -> dict:
    """Totals over every participation of the filtered countries (the footer of /countries/), from the kept rows."""
    return _summed_kept_totals(CountryTotal.objects.filter(country__in=queryset.order_by().values("pk")))


def country_totals(country) -> dict:
    """{metric: FigureTotal} over one country's participations, from its kept row: one query."""
    return _summed_kept_totals(CountryTotal.objects.filter(country=country))


def operations_selected_by(queryset):
    """The operations a filtered list selects, for its data package: the operations themselves, the operations of
    the results (participations) listed, or the operations the listed countries took part in."""
    rows = queryset.order_by().values("pk")
    if queryset.model is Operation:
        return Operation.objects.filter(pk__in=rows)
    if queryset.model is Participation:
        return Operation.objects.filter(pk__in=queryset.order_by().values("operation_id"))
    if queryset.model is Country:
        in_countries = Participation.objects.filter(operation=OuterRef("pk"), country__in=rows)
        return Operation.objects.filter(Exists(in_countries))
    raise TypeError(f"no operations for a list of {queryset.model.__name__}")


def country_results(country):
    """A country's participations, newest operation first."""
    return results_for_filtering().filter(country=country)


def country_by_iso2(iso2):
    """The country for an ISO alpha-2 code in any case, or None."""
    if len(iso2) != 2 or not iso2.isascii() or not iso2.isalpha():
        return None
    return Country.objects.filter(iso2=iso2.upper()).first()


# --- Kept per-country totals (issue #7) --------------------------------------------------------------------------


def kept_country_totals():
    """Every country that took part in an operation, with its kept totals (one row each, no GROUP BY at read time);
    `row.figure_totals` gives {metric: FigureTotal}, `row.figure_total(metric)` one of them."""
    return CountryTotal.objects.select_related("country").order_by(name_order("country__iso2"))
