"""The Figure value type: a published number with its qualifier ("about 700", "at least 250"), parsing and qualified
sums, and the SQL shape of a qualified total (its aggregates, and a row read back into a FigureTotal)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from django.db import models
from django.db.models import Count, Q, Sum
from django.utils.formats import get_format, number_format
from django.utils.translation import get_language, gettext, npgettext, pgettext
from django.utils.translation import gettext_lazy as _


class Qualifier(models.TextChoices):
    """How the source states a number. The stored value is a stable slug; the label is for people."""

    EXACT = "exact", _("exact")
    APPROX = "approx", _("approximately (nearly, about, some)")
    AT_LEAST = "at_least", _("at least (250+)")
    MORE_THAN = "more_than", _("more than (over)")


class Metric(models.TextChoices):
    """The outcome figures the tracker records; everything per-metric (columns, filters, CSV) derives from this."""

    VICTIMS_RESCUED = "victims_rescued", _("victims rescued")
    ARRESTS = "arrests", _("arrests")
    INVESTIGATIONS_OPENED = "investigations_opened", _("investigations opened")
    MIGRANTS_IDENTIFIED = "migrants_identified", _("migrants identified")


QUALIFIERS = frozenset(Qualifier.values)  # Qualifier.values rebuilds its list on every access

# Qualifiers that make a number a lower bound rather than a point estimate.
LOWER_BOUND = {Qualifier.AT_LEAST, Qualifier.MORE_THAN}

# Words that sources use for each qualifier, in English, Spanish and French, as the importer accepts them.
_PREFIXES = [
    (Qualifier.MORE_THAN, r"more than|over|above|in excess of|>|más de|mas de|plus de|au-delà de"),
    (Qualifier.AT_LEAST, r"at least|no fewer than|no less than|minimum of|≥|>=|al menos|por lo menos|au moins"),
    (
        Qualifier.APPROX,
        r"nearly|almost|about|around|approximately|approx\.?|some|close to|roughly|circa|ca\.|c\.|~|≈"
        r"|casi|cerca de|unos|unas|alrededor de|aproximadamente|près de|presque|environ|quelque|quelques|autour de",
    ),
]
# Also read by the drafting extractor (operations/drafting/numbers.py): one list of qualifier words for both readers.
QUALIFIER_WORDS = _PREFIXES
_PREFIX_RE = re.compile(rf"^\s*(?P<word>{'|'.join(f'(?:{p})' for _, p in _PREFIXES)})\s*", re.IGNORECASE)
# Digits grouped by ",", ".", thin/normal/no-break spaces or apostrophes: "10,000", "10.000", "10 000", "10'000".
_NUMBER_RE = re.compile(r"^(?P<number>\d{1,3}(?:[,.\u00a0\u202f' ]\d{3})+|\d+)\s*(?P<plus>\+)?\s*$")


class FigureParseError(ValueError):
    """Raised when a cell cannot be read as a figure; the message says why, for the import report."""


@dataclass(frozen=True, slots=True)
class Figure:
    """A published figure: value (None = unknown, never zero) and how the source qualified it."""

    value: int | None
    qualifier: str = Qualifier.EXACT

    def __post_init__(self):
        if self.value is not None and self.value < 0:
            raise ValueError("a figure cannot be negative")
        if self.qualifier not in QUALIFIERS:
            raise ValueError(f"unknown qualifier {self.qualifier!r}")

    @property
    def known(self) -> bool:
        return self.value is not None

    @property
    def is_exact(self) -> bool:
        return self.qualifier == Qualifier.EXACT

    def __str__(self) -> str:
        """The display text, one wording per qualifier and language on every page and file: "about 700",
        "at least 250", "more than 10,000", "3,222"; unknown is "—"."""
        if self.value is None:
            return "—"
        formats = _figure_formats(get_language())
        return formats[self.qualifier] % {"number": formats["group"](self.value)}

    @classmethod
    def parse(cls, text: str | int | None) -> Figure:
        """Read "700", "nearly 700", "about 4,000", "250+", "more than 10,000", "10 000" or "" (unknown)."""
        if text is None:
            return cls(None)
        if isinstance(text, int):
            return cls(text)
        cleaned = str(text).strip().replace("\u2212", "-")
        if cleaned in {"", "—", "-", "–", "n/a", "N/A", "unknown"}:
            return cls(None)
        qualifier = Qualifier.EXACT
        match = _PREFIX_RE.match(cleaned)
        if match:
            word = match["word"].lower()
            qualifier = next(q for q, pattern in _PREFIXES if re.fullmatch(pattern, word, re.IGNORECASE))
            cleaned = cleaned[match.end() :]
        if cleaned.startswith("-"):
            raise FigureParseError(
                gettext("%(text)s is negative; figures count people or cases and cannot be below zero")
                % {"text": repr(text)}
            )
        number = _NUMBER_RE.match(cleaned)
        if not number:
            raise FigureParseError(
                gettext("%(text)s is not a figure (expected e.g. 700, nearly 700, 250+, more than 10,000)")
                % {"text": repr(text)}
            )
        if number["plus"]:
            if qualifier != Qualifier.EXACT:
                raise FigureParseError(gettext("%(text)s has two qualifiers") % {"text": repr(text)})
            qualifier = Qualifier.AT_LEAST
        value = int(re.sub(r"\D", "", number["number"]))
        return cls(value, qualifier)

    @staticmethod
    def sum(figures) -> FigureTotal:
        """Add figures, keeping track of which parts are approximate, lower bounds or unknown."""
        total, parts, approximate, lower_bounds, unknown = 0, 0, 0, 0, 0
        for figure in figures:
            parts += 1
            if figure.value is None:
                unknown += 1
                continue
            total += figure.value
            if figure.qualifier == Qualifier.APPROX:
                approximate += 1
            elif figure.qualifier in LOWER_BOUND:
                lower_bounds += 1
        known = parts - unknown
        return FigureTotal(
            value=total if known else None,
            parts=parts,
            approximate_parts=approximate,
            lower_bound_parts=lower_bounds,
            unknown_parts=unknown,
        )


def grouped(value: int) -> str:
    """A whole number with its thousands grouped as the interface language writes them ("10,000", "10.000",
    "10 000"): the one number formatter of figures, totals, row counts and messages."""
    return _figure_formats(get_language())["group"](value)


@lru_cache(maxsize=16)
def _figure_formats(language) -> dict:
    """{qualifier: "about %(number)s", ...} in `language`. Looked up once per language: a table page formats hundreds
    of figures, and each gettext lookup walks every catalogue when the message is not in the first.

    One wording per qualifier, whatever the source wrote: `approx` covers "nearly", "about", "some" and "almost", so it
    is shown with the neutral "about" ("nearly 4,000" said more than the source did); the source's own phrase is shown
    beside it where the figure's provenance is (`stated_as`)."""
    return {
        "group": _grouping(get_format("THOUSAND_SEPARATOR"), get_format("NUMBER_GROUPING")),
        Qualifier.EXACT: "%(number)s",
        Qualifier.APPROX: pgettext("figure", "about %(number)s"),
        Qualifier.AT_LEAST: pgettext("figure", "at least %(number)s"),
        Qualifier.MORE_THAN: pgettext("figure", "more than %(number)s"),
    }


def _grouping(separator, grouping):
    """A whole number with its thousands grouped as the language writes them ("10,000", "10.000", "10 000"):
    number_format(value, force_grouping=True), without looking the format up again for every number."""
    if grouping == 3:
        return lambda value: format(value, ",").replace(",", separator)
    return lambda value: number_format(value, force_grouping=True)


@lru_cache(maxsize=4096)
def _caveat(language, approximate_parts, lower_bound_parts, unknown_parts) -> str:
    """FigureTotal.caveat's text for these counts in `language`, built once (see _figure_formats on why)."""
    notes = []
    if approximate_parts:
        text = npgettext("total", "%(count)d approximate", "%(count)d approximate", approximate_parts)
        notes.append(text % {"count": approximate_parts})
    if lower_bound_parts:
        text = npgettext("total", "%(count)d lower bound", "%(count)d lower bound", lower_bound_parts)
        notes.append(text % {"count": lower_bound_parts})
    if unknown_parts:
        text = npgettext("total", "%(count)d unknown", "%(count)d unknown", unknown_parts)
        notes.append(text % {"count": unknown_parts})
    return ", ".join(notes)


@dataclass(frozen=True, slots=True)
class FigureTotal:
    """A sum of figures. An unknown or "at least" part makes the total a lower bound: missing is never zero."""

    value: int | None
    parts: int = 0
    approximate_parts: int = 0
    lower_bound_parts: int = 0
    unknown_parts: int = 0

    @property
    def qualifier(self) -> str:
        if self.lower_bound_parts or self.unknown_parts:
            return Qualifier.AT_LEAST
        if self.approximate_parts:
            return Qualifier.APPROX
        return Qualifier.EXACT

    @property
    def figure(self) -> Figure:
        return Figure(self.value, self.qualifier)

    def caveat(self) -> str:
        """The parenthesis that explains a qualified total: "2 approximate, 1 unknown"."""
        unknown = self.unknown_parts if self.value is not None else 0
        return _caveat(get_language(), self.approximate_parts, self.lower_bound_parts, unknown)

    def __str__(self) -> str:
        text = str(self.figure)
        caveat = self.caveat()
        return f"{text} ({caveat})" if caveat and self.value is not None else text

    def text_and_caveat(self) -> tuple[str, str]:
        """(the total, its caveat or ""), for a cell that shows them on two lines."""
        return str(self.figure), (self.caveat() if self.value is not None else "")

    def __add__(self, other: FigureTotal) -> FigureTotal:
        """Two totals of disjoint parts as one (a region from its countries): unknown only if both are."""
        if not isinstance(other, FigureTotal):
            return NotImplemented
        return FigureTotal(
            value=None if self.value is None and other.value is None else (self.value or 0) + (other.value or 0),
            parts=self.parts + other.parts,
            approximate_parts=self.approximate_parts + other.approximate_parts,
            lower_bound_parts=self.lower_bound_parts + other.lower_bound_parts,
            unknown_parts=self.unknown_parts + other.unknown_parts,
        )


# --- Qualified totals in SQL ------------------------------------------------------------------------------------
#
# A FigureTotal over many rows is computed by the database: per metric, the sum of the known values and how many
# values are known, approximate and lower bounds, beside one count of the rows (the parts); unknown = parts - known,
# never a zero. These parts have one name each, used for every aggregate alias and for CountryTotal's kept columns:
# f"{metric}_{part}", e.g. "arrests_sum", "arrests_known", "arrests_approx", "arrests_lower_bound".

TOTAL_PARTS = ("sum", "known", "approx", "lower_bound")


def total_aggregates(path: str = "", *, count: str = "parts") -> dict:
    """The aggregates of every metric's qualified total over the rows with preferred figures reached by `path` ("",
    or "participations" from a country); `count` names the count of those rows. Annotate or aggregate with them."""
    prefix = f"{path}__" if path else ""
    aggregates = {count: Count(f"{prefix}pk")}
    for metric in Metric:
        value, qualifier = f"{prefix}{metric.value}", f"{prefix}{metric.value}_qualifier"
        aggregates[f"{metric.value}_sum"] = Sum(value)
        aggregates[f"{metric.value}_known"] = Count(value)
        aggregates[f"{metric.value}_approx"] = Count(value, filter=Q(**{qualifier: Qualifier.APPROX}))
        aggregates[f"{metric.value}_lower_bound"] = Count(value, filter=Q(**{f"{qualifier}__in": sorted(LOWER_BOUND)}))
    return aggregates


def read_total(row, metric, *, count: str = "parts") -> FigureTotal:
    """The FigureTotal of `metric` from a row (a dict, or an object such as a CountryTotal) carrying the
    total_aggregates() names, or sums of them; `count` names its count of parts."""
    get = row.get if isinstance(row, dict) else lambda name: getattr(row, name)
    name = Metric(metric).value
    parts = int(get(count) or 0)
    known = int(get(f"{name}_known") or 0)
    value = get(f"{name}_sum")
    return FigureTotal(
        # PostgreSQL sums a bigint column as numeric (Decimal); a figure is a whole number.
        value=int(value) if known and value is not None else None,
        parts=parts,
        approximate_parts=int(get(f"{name}_approx") or 0),
        lower_bound_parts=int(get(f"{name}_lower_bound") or 0),
        unknown_parts=parts - known,
    )


def read_totals(row, *, count: str = "parts") -> dict:
    """{metric: FigureTotal} for every metric of such a row."""
    return {metric.value: read_total(row, metric, count=count) for metric in Metric}
