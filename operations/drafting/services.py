"""Writing a reviewed draft: one transaction through operations/services/, nothing written before the confirm.

A new operation gets the accepted figures as its preferred values. An existing operation gets them as new reports
from this source: a value that differs from the preferred one is kept as a conflicting report beside it
(services.record_figure with preferred=None), never written over it. Every row's history says "drafted from <source>".
"""

import re
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q
from django.utils.text import slugify

from .. import services
from ..figures import Figure
from ..models import Country, DatePrecision, Operation, Participation, ReportedFigure, Role, Source
from .names import normalize

_LEADING = {"operation", "operacion", "operations", "operaciones", "op", "operacao", "the"}
_ROMAN = {
    "i": "1",
    "ii": "2",
    "iii": "3",
    "iv": "4",
    "v": "5",
    "vi": "6",
    "vii": "7",
    "viii": "8",
    "ix": "9",
    "x": "10",
}


def name_key(name: str) -> str:
    """Operation names compared as the extraction scorer does: no "Operation", Roman numerals as digits."""
    words = normalize(name or "").split()
    while words and words[0] in _LEADING:
        words = words[1:]
    return " ".join(_ROMAN.get(word, word) for word in words)


def matching_operations(name: str, month_day: str | None = None, year: int | None = None) -> list[Operation]:
    """Existing operations this name may be, best first: the same name, or the same name with an edition year
    ("Global Chain" -> "Operation Global Chain 2024", the one whose dates or year fit first)."""
    key = name_key(name)
    if not key:
        return []
    longest = max(re.findall(r"[^\W\d_]+", name), key=len, default="")
    if len(longest) < 3:
        return []
    candidates = list(Operation.objects.filter(name__icontains=longest).order_by("-start_date", "name")[:200])
    exact = [operation for operation in candidates if name_key(operation.name) == key]
    if exact:
        return exact

    def fits(operation):
        other = name_key(operation.name).split()
        mine = key.split()
        short, long_ = sorted((mine, other), key=len)
        return long_[-len(short) :] == short or (
            other[: len(mine)] == mine and re.fullmatch(r"\d{4}", " ".join(other[len(mine) :]))
        )

    found = [operation for operation in candidates if fits(operation)]

    def rank(operation):
        same_days = bool(month_day and operation.start_date and operation.start_date.strftime("%m-%d") == month_day)
        same_year = bool(year and operation.year == year)
        return (not same_days, not same_year)

    return sorted(found, key=rank)


@dataclass
class FigureChoice:
    metric: str
    value: int
    qualifier: str
    country: str | None  # ISO alpha-2
    stated_as: str = ""
    quote: str = ""


@dataclass
class ReviewedDraft:
    """What the editor confirmed on the review page."""

    source_url: str
    source_title: str
    source_publisher: str
    source_published: date | None
    source_language: str
    operation: Operation | None  # an existing operation, or None for a new one
    name: str
    start_date: date | None
    end_date: date | None
    date_precision: str
    countries_reported: int | None
    countries: list = field(default_factory=list)  # (iso2, role)
    figures: list = field(default_factory=list)  # FigureChoice


def _source(draft: ReviewedDraft, reason: str) -> Source:
    if draft.source_url:
        source = Source.objects.filter(url=draft.source_url).first()
        if source is not None:
            return source
    source = Source(
        url=draft.source_url,
        title=draft.source_title,
        publisher=draft.source_publisher,
        published=draft.source_published,
        language=draft.source_language,
    )
    source._change_reason = reason
    source.save()
    return source


def _unique_slug(name: str) -> str:
    base = slugify(name)[:190] or "operation"
    slug, number = base, 2
    while Operation.objects.filter(slug=slug).exists():
        slug, number = f"{base}-{number}", number + 1
    return slug


@services.changes()
def save_draft(draft: ReviewedDraft, *, user=None) -> Operation:
    """Write the reviewed draft: source, operation (new, or reports on an existing one), countries and figures."""
    source_label = draft.source_url or draft.source_title or draft.source_publisher
    reason = f"drafted from {source_label}"[:100]
    source = _source(draft, reason)
    operation = draft.operation
    if operation is None:
        operation = Operation(
            name=draft.name,
            slug=_unique_slug(draft.name),
            start_date=draft.start_date,
            end_date=draft.end_date,
            year=(draft.start_date or draft.end_date).year if (draft.start_date or draft.end_date) else None,
            date_precision=draft.date_precision,
            countries_reported=draft.countries_reported,
        )
    else:
        # Fill what the operation does not know yet; what it knows stays (the figures carry the disagreements).
        operation = Operation.objects.select_for_update().get(pk=operation.pk)
        if operation.start_date is None and draft.start_date:
            operation.start_date, operation.end_date = draft.start_date, draft.end_date
            operation.date_precision = draft.date_precision
            operation.year = operation.year or draft.start_date.year
        if operation.countries_reported is None:
            operation.countries_reported = draft.countries_reported
    operation._change_reason = reason
    operation._history_user = user
    operation.save()
    operation.sources.add(source)
    # The existing figures it is compared with below are rows (services.implicit).
    services.materialize_reports([operation.pk])

    countries = {country.iso2: country for country in Country.objects.filter(iso2__in=_iso_codes(draft))}
    participations = {p.country.iso2: p for p in operation.participations.select_related("country")}

    def participation_for(iso2, role=Role.PARTICIPANT):
        participation = participations.get(iso2)
        if participation is None:
            participation = Participation(operation=operation, country=countries[iso2], role=role)
            participation._change_reason = reason
            participation._history_user = user
            participation.save()
            participations[iso2] = participation
        elif role == Role.COMMAND_CENTRE and participation.role != role:
            participation.role = role
            participation._change_reason = reason
            participation.save(update_fields=["role"])
        return participation

    for iso2, role in draft.countries:
        participation_for(iso2, role)
    for choice in draft.figures:
        participation = participation_for(choice.country) if choice.country else None
        figure = Figure(choice.value, choice.qualifier)
        same = ReportedFigure.objects.filter(
            Q(participation=participation) if participation else Q(participation__isnull=True),
            operation=operation,
            metric=choice.metric,
            source=source,
            value=figure.value,
            qualifier=figure.qualifier,
        )
        if same.exists():
            continue  # this source already says exactly this: drafting the same page twice adds nothing
        services.record_figure(
            operation=operation,
            participation=participation,
            metric=choice.metric,
            figure=figure,
            source=source,
            quote=choice.quote,
            stated_as=choice.stated_as[:100],
            preferred=None,
            user=user,
            refresh=False,
            change_reason=reason,
        )
    services.refresh_preferred_figures(operation)
    services.bump_version(operation.pk)
    return operation


def _iso_codes(draft):
    return {iso2 for iso2, _ in draft.countries} | {choice.country for choice in draft.figures if choice.country}


def period_fields(start: str | None, end: str | None, published: date | None):
    """Dates from the proposal ("2021-11-08", or "--06-12" when the text gives no year): the year comes from the
    page's own date when the text has none. Returns (start, end, precision, year_from_page)."""
    if not start:
        return None, None, DatePrecision.UNKNOWN, False
    year_from_page = start.startswith("--")
    if year_from_page and published is None:
        return None, None, DatePrecision.UNKNOWN, False

    def as_date(text):
        if text.startswith("--"):
            month, day = int(text[2:4]), int(text[5:7])
            return date(published.year, month, day)
        return date.fromisoformat(text)

    try:
        first = as_date(start)
        last = as_date(end or start)
    except ValueError:
        return None, None, DatePrecision.UNKNOWN, False
    if last < first and year_from_page:
        first = first.replace(year=first.year - 1)  # "27 November – 1 December" on a page dated in December
    return first, last, DatePrecision.DAY, year_from_page
