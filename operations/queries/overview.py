"""The overview (home page): operations and qualified totals per year, region and country, and the latest operations."""

from dataclasses import dataclass

from django.db.models import Count
from django.utils.translation import get_language, gettext

from ..collation import sorted_by_name
from ..countries import localized_name
from ..figures import FigureTotal, read_totals, total_aggregates
from ..models import (
    METRICS,
    NEWEST_FIRST,
    Operation,
    Participation,
    Region,
    RegionTotal,
)
from .lists import kept_country_totals

# How many operations the overview lists under "latest operations": enough that a fresh install's home page lists
# every reference operation (48, with the four of the product card, issue #2), while a
# database of thousands stays one short table with a link to /operations/.
LATEST_OPERATIONS = 50


@dataclass
class SeriesRow:
    """One year, region or country of the overview: how many operations and the qualified totals per metric."""

    key: object
    label: str
    operations: int
    totals: dict  # metric -> FigureTotal
    countries: int | None = None
    region: str = ""

    @property
    def cells(self):
        return [self.totals[metric.value] for metric in METRICS]


@dataclass
class Overview:
    operations: int
    totals: dict  # metric -> FigureTotal over the operations' own (operation-wide) figures
    years: list  # SeriesRow per year, gaps included; operations without a year last
    regions: list  # SeriesRow per region: figures attributed to its countries
    countries: list  # SeriesRow per participating country: figures attributed to it
    latest: list

    @property
    def total_cells(self):
        return [(metric, self.totals[metric.value]) for metric in METRICS]

    def top_countries(self, key, limit=10):
        """(country row, its FigureTotal for the metric or None) ranked by number of operations or by the
        metric's attributed total; countries without that figure are left out of a metric's ranking."""
        if key == "operations":
            ranked = sorted(self.countries, key=lambda row: (-row.operations, row.label))
            return [(row, None) for row in ranked[:limit]]
        known = [row for row in self.countries if row.totals[key].value is not None]
        ranked = sorted(known, key=lambda row: (-row.totals[key].value, row.label))
        return [(row, row.totals[key]) for row in ranked[:limit]]


def overview(operations=None, *, region="", years_filtered=False) -> Overview:
    """Totals, series per year and per region, per-country figures and the latest operations of `operations` (all
    when None; the overview's FilterSet selects them: `region` and `years_filtered` are what it was given), in five
    queries."""
    operations = (Operation.objects.all() if operations is None else operations).order_by()
    totals_row = operations.aggregate(**total_aggregates())

    years = []
    undated = None
    by_year = {row["year"]: row for row in operations.values("year").annotate(**total_aggregates())}
    dated = sorted(year for year in by_year if year is not None)
    if dated:
        for year in range(dated[0], dated[-1] + 1):
            row = by_year.get(year)
            # A year without operations has none: its figures are not zero but absent ("—").
            totals = read_totals(row) if row else {metric.value: FigureTotal(None) for metric in METRICS}
            years.append(SeriesRow(year, str(year), row["parts"] if row else 0, totals))
    if None in by_year:
        row = by_year[None]
        undated = SeriesRow(None, gettext("year unknown"), row["parts"], read_totals(row))
        years.append(undated)

    if not years_filtered:
        # No year range: every participation of the (region's) countries counts, which is exactly what the kept
        # per-country and per-region totals hold; two small reads instead of two GROUP BYs over every participation.
        regions, countries = _kept_region_and_country_rows(region)
    else:
        regions, countries = _grouped_region_and_country_rows(operations, region)
    # The latest operations first, then their countries counted: annotating before the LIMIT would count the
    # countries of every operation.
    latest_pks = operations.order_by(*NEWEST_FIRST).values("pk")[:LATEST_OPERATIONS]
    latest = list(Operation.objects.filter(pk__in=latest_pks).for_list())
    return Overview(
        operations=totals_row["parts"],
        totals=read_totals(totals_row),
        years=years,
        regions=regions,
        countries=countries,
        latest=latest,
    )


def _kept_region_and_country_rows(region=""):
    """The overview's region and country rows from the kept aggregates (CountryTotal, RegionTotal)."""
    region_labels = dict(Region.choices)
    kept = kept_country_totals()
    if region:
        kept = kept.filter(country__region=region)
    countries = _by_label(
        SeriesRow(row.country.iso2, str(row.country), row.operations, row.figure_totals, region=row.country.region)
        for row in kept
    )
    distinct_operations = dict(RegionTotal.objects.values_list("region", "operations"))
    regions = []
    for key in sorted({row.region for row in countries}):
        members = [row for row in countries if row.region == key]
        totals = {
            metric.value: sum((row.totals[metric.value] for row in members), FigureTotal(None)) for metric in METRICS
        }
        regions.append(
            SeriesRow(
                key,
                str(region_labels.get(key, gettext("no region"))),
                distinct_operations.get(key, 0),
                totals,
                countries=len(members),
            )
        )
    return regions, countries


def _grouped_region_and_country_rows(operations, region=""):
    """The overview's region and country rows grouped from the participations of the filtered operations."""
    participations = Participation.objects.filter(operation__in=operations.values("pk")).order_by()
    if region:
        participations = participations.filter(country__region=region)
    region_labels = dict(Region.choices)
    regions = [
        SeriesRow(
            row["country__region"],
            str(region_labels.get(row["country__region"], gettext("no region"))),
            row["operations"],
            read_totals(row),
            countries=row["countries"],
        )
        for row in participations.values("country__region")
        .annotate(
            operations=Count("operation", distinct=True),
            countries=Count("country", distinct=True),
            **total_aggregates(),
        )
        .order_by("country__region")
    ]
    countries = _by_label(
        SeriesRow(
            row["country__iso2"],
            localized_name(row["country__iso2"], row["country__name"], get_language()),
            row["parts"],  # a country takes part in an operation once
            read_totals(row),
            region=row["country__region"],
        )
        for row in participations.values("country__iso2", "country__name", "country__region")
        .annotate(**total_aggregates())
        .order_by()
    )
    return regions, countries


def _by_label(rows):
    """Country rows in the alphabetical order of their names in the interface language ("Alemania" under A), accents
    and case ignored."""
    return sorted_by_name(rows, name=lambda row: row.label)
