"""Read-side queries (selectors) for pages: every join or aggregate a page needs lives here."""

from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import get_language, gettext, pgettext_lazy

from .collation import sorted_by_name
from .countries import CountryResolver, localized_name, name_order
from .figures import TOTAL_PARTS, Figure, FigureTotal, Metric, Qualifier, read_totals, total_aggregates
from .models import (
    METRICS,
    Country,
    CountryAlias,
    CountryTotal,
    Operation,
    Participation,
    Region,
    RegionTotal,
    ReportedFigure,
    Role,
)
from .periods import format_period

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
    return Operation.objects.order_by(F("start_date").desc(nulls_last=True), "name")


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


def result_rows(queryset):
    return queryset.select_related("operation", "country")


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
    """{metric: FigureTotal} summed over CountryTotal rows: exact, since each participation has one country."""
    aggregates = {name: Sum(name) for name in ("operations", *(f"{m.value}_{p}" for m in METRICS for p in TOTAL_PARTS))}
    return read_totals(kept.order_by().aggregate(**aggregates), count="operations")


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


# --- Comparison (/compare/) --------------------------------------------------------------------------------------


# The most operations /compare/'s selection lists at once (besides the chosen ones).
COMPARE_CHOICES_SHOWN = 200


def compare_choices(find: str, chosen_slugs, limit: int = COMPARE_CHOICES_SHOWN) -> tuple[list, int]:
    """The operations /compare/'s selection lists, as (slug, name) in name order, and how many match `find`: those
    whose name contains it (all operations when it is empty), the latest `limit` of them, plus any chosen ones."""
    matching = Operation.objects.all()
    if find:
        matching = matching.filter(name__icontains=find)
    latest = matching.order_by(F("start_date").desc(nulls_last=True), "name").values_list("slug", "name")[:limit]
    shown = dict(latest)
    # Chosen slugs not listed yet (the form reports the ones no operation has; NUL would fail on PostgreSQL).
    missing = [slug for slug in chosen_slugs if slug not in shown and "\x00" not in slug and len(slug) <= 200]
    if missing:
        shown.update(Operation.objects.filter(slug__in=missing).values_list("slug", "name"))
    count = matching.count() if len(latest) == limit else len(latest)
    return sorted_by_name(shown.items(), name=lambda choice: choice[1]), count


def comparison(operations):
    """What /compare/ shows for 2-4 operations, in two queries: per metric a row of cells, each the preferred
    operation-wide figure with the source that gives it (None when no source gives one), and the sources numbered
    in order of first citation for the footnotes.

    Returns {"operations": [...], "countries_named": [...], "metrics": [(metric, [cell, ...])], "sources": [...]},
    a cell being {"figure": Figure, "source": Source | None, "note": int | None}."""
    operations = list(operations)
    pks = [operation.pk for operation in operations]
    named = dict(
        Participation.objects.filter(operation__in=pks)
        .order_by()
        .values("operation")
        .annotate(n=Count("pk"))
        .values_list("operation", "n")
    )
    preferred = ReportedFigure.objects.filter(
        operation__in=pks, participation__isnull=True, is_preferred=True
    ).select_related("source")
    source_of = {(figure.operation_id, figure.metric): figure.source for figure in preferred}
    notes = {}  # source pk -> footnote number
    sources = []
    rows = []
    for metric in METRICS:
        cells = []
        for operation in operations:
            source = source_of.get((operation.pk, metric.value))
            if source is not None and source.pk not in notes:
                notes[source.pk] = len(notes) + 1
                sources.append(source)
            cells.append(
                {
                    "figure": operation.figure(metric),
                    "source": source,
                    "note": notes[source.pk] if source is not None else None,
                }
            )
        rows.append((metric, cells))
    return {
        "operations": operations,
        "countries_named": [named.get(pk, 0) for pk in pks],
        "metrics": rows,
        "sources": [(notes[source.pk], source) for source in sources],
    }


# --- Kept per-country totals (issue #7) --------------------------------------------------------------------------


def kept_country_totals():
    """Every country that took part in an operation, with its kept totals (one row each, no GROUP BY at read time);
    `row.figure_totals` gives {metric: FigureTotal}, `row.figure_total(metric)` one of them."""
    return CountryTotal.objects.select_related("country").order_by(name_order("country__iso2"))


# --- Dashboards (issue #4) ---------------------------------------------------------------------------------------


# How many operations the overview lists under "latest operations": enough that a fresh install's home page lists
# every reference operation (24, with the four of the product card, Libertad the oldest of them, issue #2), while a
# database of thousands stays one short table with a link to /operations/.
LATEST_OPERATIONS = 25


@dataclass(frozen=True)
class Citation:
    """A value one source gives, with the number of that source in the page's numbered list."""

    figure: Figure
    number: int
    quote: str = ""


@dataclass(frozen=True)
class ReportedValue:
    """A figure as a page shows it: the preferred value, its source's number, and what other sources say."""

    figure: Figure
    number: int | None = None
    alternatives: tuple = ()

    @property
    def known(self):
        return self.figure.known


@dataclass(frozen=True)
class Headline:
    metric: Metric
    value: ReportedValue


@dataclass
class CountryRow:
    """One participating country of an operation with its figures, in METRICS order."""

    participation: Participation
    values: dict

    @property
    def country(self):
        return self.participation.country

    @property
    def is_command_centre(self):
        return self.participation.role == Role.COMMAND_CENTRE

    @property
    def cells(self):
        """(metric, ReportedValue) in METRICS order, for a table row."""
        return [(metric, self.values[metric.value]) for metric in METRICS]


@dataclass
class Breakdown:
    """One metric of an operation split by country, and the part of the total no country accounts for."""

    metric: Metric
    total: ReportedValue
    rows: list  # (CountryRow, ReportedValue) for countries with a figure, largest first
    attributed: FigureTotal
    # None when unknown (no total) or when the countries' figures add up to more than the total (`exceeds`).
    unattributed: Figure | None
    exceeds: bool


@dataclass
class OperationDashboard:
    operation: Operation
    period: str
    exploitation_forms: list
    headlines: list
    countries: list
    breakdowns: list
    sources: list  # (number, Source)
    previous: tuple | None  # (slug, name)
    next: tuple | None
    command_centres: list = field(default_factory=list)

    @property
    def countries_named(self):
        return len(self.countries)

    @property
    def charted_breakdowns(self):
        """The metrics that some country has a figure for: each gets a bar chart."""
        return [breakdown for breakdown in self.breakdowns if breakdown.rows]

    @property
    def has_country_figures(self):
        return bool(self.charted_breakdowns)


def _neighbour(*, before):
    """The operation just before (or after) the outer one in time, ties broken by name; undated ones have none."""
    if before:
        condition = Q(start_date__lt=OuterRef("start_date")) | Q(
            start_date=OuterRef("start_date"), name__lt=OuterRef("name")
        )
        order = ("-start_date", "-name")
    else:
        condition = Q(start_date__gt=OuterRef("start_date")) | Q(
            start_date=OuterRef("start_date"), name__gt=OuterRef("name")
        )
        order = ("start_date", "name")
    return Operation.objects.filter(condition).order_by(*order)


def unattributed_remainder(total: Figure, attributed: FigureTotal) -> tuple[Figure | None, bool]:
    """The part of an operation-wide total that no country's figure accounts for, and whether the countries'
    figures add up to more than the total (then there is no remainder to show: it is never negative)."""
    if not total.known:
        return None, False
    counted = attributed.value or 0
    if counted > total.value:
        return None, True
    if attributed.qualifier != Qualifier.EXACT and counted:
        qualifier = Qualifier.APPROX
    else:
        # "more than 2,700" less an exact 500 is "more than 2,200"; "nearly 700" less 100 is "nearly 600".
        qualifier = total.qualifier
    return Figure(total.value - counted, qualifier), False


def operation_name(slug) -> str | None:
    """The name of the operation with this slug (None if there is none): a dashboard's title and its 404."""
    return Operation.objects.filter(slug=slug).values_list("name", flat=True).first()


def operation_dashboard(slug) -> OperationDashboard | None:
    """Everything an operation's dashboard shows, in six queries whatever the operation's size (None if no such
    operation): the operation with its neighbours in time, its forms of exploitation, its participating countries,
    every figure reported for it with its source, and its sources."""
    previous, following = _neighbour(before=True), _neighbour(before=False)
    operation = (
        Operation.objects.annotate(
            previous_slug=Subquery(previous.values("slug")[:1]),
            previous_name=Subquery(previous.values("name")[:1]),
            next_slug=Subquery(following.values("slug")[:1]),
            next_name=Subquery(following.values("name")[:1]),
            **last_correction_annotations(),
        )
        .filter(slug=slug)
        .first()
    )
    if operation is None:
        return None
    forms = list(operation.exploitation_forms.all())
    # In the alphabetical order of the names the page shows ("Emiratos Árabes Unidos" before "España" in Spanish).
    participations = sorted_by_name(
        operation.participations.select_related("country").order_by(), name=lambda row: row.country
    )
    reported = list(
        ReportedFigure.objects.filter(operation=operation)
        .select_related("source")
        .order_by("metric", "-is_preferred", "-value", "pk")
    )
    operation_sources = list(operation.sources.all())

    numbers = {}  # source pk -> its number in the page's list, in order of first citation

    def number(source):
        return numbers.setdefault(source.pk, (len(numbers) + 1, source))[0]

    slots = {}
    for figure in reported:
        slots.setdefault((figure.participation_id, figure.metric), []).append(figure)

    def value_for(owner, participation_id, metric):
        """The owner's preferred figure (kept on the row), its source, and the other sources' values."""
        figures = slots.get((participation_id, metric.value), [])
        preferred = next((figure for figure in figures if figure.is_preferred), None)
        preferred_number = number(preferred.source) if preferred else None
        alternatives = tuple(
            Citation(figure.as_figure(), number(figure.source), figure.quote)
            for figure in figures
            if not figure.is_preferred
        )
        return ReportedValue(owner.figure(metric), preferred_number, alternatives)

    headlines = [Headline(metric, value_for(operation, None, metric)) for metric in METRICS]
    for source in operation_sources:
        number(source)  # the operation's own sources come right after the headline figures' ones
    countries = [
        CountryRow(
            participation, {metric.value: value_for(participation, participation.pk, metric) for metric in METRICS}
        )
        for participation in participations
    ]

    breakdowns = []
    for headline in headlines:
        metric = headline.metric
        rows = [(row, row.values[metric.value]) for row in countries if row.values[metric.value].known]
        rows.sort(key=lambda pair: -pair[1].figure.value)  # stable: equal figures stay in alphabetical order
        attributed = Figure.sum(value.figure for _, value in rows)
        unattributed, exceeds = unattributed_remainder(headline.value.figure, attributed)
        breakdowns.append(Breakdown(metric, headline.value, rows, attributed, unattributed, exceeds))

    return OperationDashboard(
        operation=operation,
        period=format_period(operation.start_date, operation.end_date, operation.date_precision, operation.year),
        exploitation_forms=forms,
        headlines=headlines,
        countries=countries,
        breakdowns=breakdowns,
        sources=sorted(numbers.values(), key=lambda pair: pair[0]),
        previous=(operation.previous_slug, operation.previous_name) if operation.previous_slug else None,
        next=(operation.next_slug, operation.next_name) if operation.next_slug else None,
        command_centres=[row.country for row in countries if row.is_command_centre],
    )


def filtered_operations(*, year_from=None, year_to=None, region=""):
    """Operations in a year range (inclusive) with at least one participating country in a region."""
    operations = Operation.objects.all()
    if year_from is not None:
        operations = operations.filter(year__gte=year_from)
    if year_to is not None:
        operations = operations.filter(year__lte=year_to)
    if region:
        # Exists, not a join: an operation with five countries in the region is still one operation.
        in_region = Participation.objects.filter(operation=OuterRef("pk"), country__region=region)
        operations = operations.filter(Exists(in_region))
    return operations


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


def overview(filters=None) -> Overview:
    """Totals, series per year and per region, per-country figures and the latest operations of the filtered
    operations (year_from, year_to, region as filtered_operations takes them), in five queries."""
    filters = filters or {}
    region = filters.get("region") or ""
    operations = filtered_operations(
        year_from=filters.get("year_from"), year_to=filters.get("year_to"), region=region
    ).order_by()
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

    if filters.get("year_from") is None and filters.get("year_to") is None:
        # No year range: every participation of the (region's) countries counts, which is exactly what the kept
        # per-country and per-region totals hold; two small reads instead of two GROUP BYs over every participation.
        regions, countries = _kept_region_and_country_rows(region)
    else:
        regions, countries = _grouped_region_and_country_rows(operations, region)
    # The latest operations first, then their countries counted: annotating before the LIMIT would count the
    # countries of every operation.
    latest_pks = operations.order_by(F("start_date").desc(nulls_last=True), "name").values("pk")[:LATEST_OPERATIONS]
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
    """Country rows in the alphabetical order of their names in the interface language ("Alemania" under A)."""
    return sorted_by_name(rows, name=lambda row: row.label)


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
