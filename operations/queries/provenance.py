"""Each figure's footnote on a page (issue #15): every report of the page's figures, read in one query, numbered in
the order the page shows them; dashboards and /compare/ share it."""

from dataclasses import dataclass

from ..figures import Figure, Metric
from ..models import ReportedFigure, Source


@dataclass(frozen=True)
class Report:
    """One source's report of a figure: the value, the number phrase and the sentence as the page prints them."""

    figure: Figure
    source: Source
    quote: str
    stated_as: str
    is_preferred: bool

    @classmethod
    def of(cls, reported: ReportedFigure) -> "Report":
        return cls(reported.as_figure(), reported.source, reported.quote, reported.stated_as, reported.is_preferred)


@dataclass(frozen=True)
class FigureNote:
    """A figure's footnote: which figure (metric, and the country or operation it is about, None for the page's own
    operation), the figure the page shows, the preferred report and the reports that conflict with it."""

    number: int
    metric: Metric
    subject: object  # a Country, an Operation, or None
    figure: Figure
    preferred: Report | None
    others: tuple

    @property
    def also_reported(self) -> list:
        """The other values the sources give, each once, leaving out the value shown (for the cell itself)."""
        seen = {self.figure}
        return [report.figure for report in self.others if not (report.figure in seen or seen.add(report.figure))]


@dataclass(frozen=True)
class ReportedValue:
    """A figure as a page shows it: the preferred value, and its footnote (None when no source reports it)."""

    figure: Figure
    note: FigureNote | None = None

    @property
    def known(self):
        return self.figure.known


class FigureNotes:
    """The footnotes of a page's figures, numbered in the order the page first shows them, from every report of
    those figures fetched in one query (preferred first)."""

    def __init__(self, reports):
        self.slots = {}
        for reported in reports:
            key = (reported.operation_id, reported.participation_id, reported.metric)
            self.slots.setdefault(key, []).append(reported)
        self.notes = []

    def value(self, owner, metric, *, operation_id, participation_id=None, subject=None) -> ReportedValue:
        """The owner's (operation's or participation's) figure for `metric` as kept on its row, with the footnote
        of its reports; the footnote is numbered on first use."""
        reports = [
            Report.of(reported) for reported in self.slots.get((operation_id, participation_id, metric.value), ())
        ]
        if not reports:
            return ReportedValue(owner.figure(metric))
        preferred = next((report for report in reports if report.is_preferred), None)
        note = FigureNote(
            number=len(self.notes) + 1,
            metric=metric,
            subject=subject,
            figure=owner.figure(metric),
            preferred=preferred,
            others=tuple(report for report in reports if report is not preferred),
        )
        self.notes.append(note)
        return ReportedValue(note.figure, note)


def reports_of(**filters):
    """Every ReportedFigure matching `filters` with its source, the preferred one of each figure first, then the
    largest values: one query whatever the number of figures."""
    return (
        ReportedFigure.objects.filter(**filters)
        .select_related("source")
        .order_by("metric", "-is_preferred", "-value", "pk")
    )
