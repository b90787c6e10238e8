"""An operation's dashboard: headline figures with their sources, per-country rows and breakdowns."""

from dataclasses import dataclass, field

from django.db.models import OuterRef, Q, Subquery

from ..collation import sorted_by_name
from ..figures import Figure, FigureTotal, Metric, Qualifier
from ..models import (
    METRICS,
    Operation,
    Participation,
    Role,
)
from ..periods import operation_period
from ..services.implicit import implicit_reports
from .history import last_correction_annotations
from .provenance import FigureNotes, ReportedValue, reports_of

# --- Dashboards (issue #4) ---------------------------------------------------------------------------------------


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
    notes: list  # FigureNote, in the order of their numbers
    sources: list  # Source: those the notes cite first
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
    every figure reported for it with its source (each figure's footnote), and its sources."""
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
    stored = list(reports_of(operation=operation))  # read after the country rows: see implicit_reports()
    with_rows = {report.participation_id for report in stored}
    notes = FigureNotes([*stored, *implicit_reports(participations, with_rows)])
    headlines = [Headline(metric, notes.value(operation, metric, operation_id=operation.pk)) for metric in METRICS]
    countries = [
        CountryRow(
            participation,
            {
                metric.value: notes.value(
                    participation,
                    metric,
                    operation_id=operation.pk,
                    participation_id=participation.pk,
                    subject=participation.country,
                )
                for metric in METRICS
            },
        )
        for participation in participations
    ]
    # The sources the figures cite, in the order of their footnotes, then the operation's other sources.
    cited = [report.source for note in notes.notes for report in (note.preferred, *note.others) if report]
    sources = list({source.pk: source for source in [*cited, *operation.sources.all()]}.values())

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
        period=operation_period(operation),
        exploitation_forms=forms,
        headlines=headlines,
        countries=countries,
        breakdowns=breakdowns,
        notes=notes.notes,
        sources=sources,
        previous=(operation.previous_slug, operation.previous_name) if operation.previous_slug else None,
        next=(operation.next_slug, operation.next_name) if operation.next_slug else None,
        command_centres=[row.country for row in countries if row.is_command_centre],
    )
