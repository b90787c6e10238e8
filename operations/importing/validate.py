"""Checking the cells of one spreadsheet row: each error with its file, row and column in the report, and the row's
clean values (a record) when it can be imported. Cross-row rules (duplicates, known operations, sums) are the
engine's."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from ..figures import Figure, FigureParseError
from ..import_format import METRIC_COLUMNS
from ..models import Role
from .conventions import EXPLOITATION_KEYWORDS
from .report import ImportReport

_TEXT_LIMITS = {"name": 200, "coordinator": 300, "region": 300, "exploitation_types": 500, "source_title": 500}
_URL = URLValidator(schemes=["http", "https"])
_ROLES = {
    **{role.value: role.value for role in Role},
    **{str(role.label).casefold(): role.value for role in Role},
    "command centre": Role.COMMAND_CENTRE,
    "command center": Role.COMMAND_CENTRE,
    "command_center": Role.COMMAND_CENTRE,
}
_ISO_DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT")
_EXPLOITATION = [(re.compile(pattern, re.I), slug) for pattern, slug in EXPLOITATION_KEYWORDS]
_CACHE_SIZE = 50_000  # distinct cell texts remembered per kind: figures and URLs repeat across rows


@dataclass(slots=True)
class OperationRecord:
    """A valid row of the operations file."""

    row: int
    name: str
    fields: dict  # Operation attnames -> values given (empty cells left out: they keep the stored value)
    figures: dict  # metric -> known Figure
    forms: list  # exploitation form slugs
    source: tuple | None  # (url, title, published)
    action: str = "create"
    stored: object = None  # the stored Operation it updates
    state: object = None  # the engine's per-operation state


@dataclass(slots=True)
class CountryRecord:
    """A valid row of the country results file (its operation resolved by the engine)."""

    row: int
    operation: object  # the engine's per-operation state
    country_id: int
    role: str | None
    figures: dict  # metric -> known Figure
    source_url: str
    action: str = "create"
    stored: tuple | None = None  # the stored participation's (pk, role, values..., qualifiers...)
    changed: tuple = ()  # the metrics whose stored figure the row changes


class Cells:
    """The checks of single cells; `file` and `row` say where an error is reported."""

    def __init__(self, report: ImportReport):
        self.report = report
        self.file = ""
        self.row = 0
        self.figures = {}  # text -> Figure or the error's message
        self.valid_urls = set()

    def error(self, column, message):
        self.report.error(self.file, self.row, column, message)

    def text(self, values, column):
        value = values[column]
        limit = _TEXT_LIMITS.get(column)
        if limit and len(value) > limit:
            self.error(column, _("%(length)s characters; at most %(limit)s") % {"length": len(value), "limit": limit})
            return None
        return value

    def date(self, values, column):
        value = values[column]
        if not value:
            return None
        try:
            return datetime.date.fromisoformat(value[:10] if _ISO_DATETIME.match(value) else value)
        except ValueError:
            self.error(
                column, _("%(value)s is not a date (expected YYYY-MM-DD, e.g. 2023-05-14)") % {"value": repr(value)}
            )
            return None

    def _parse(self, text):
        """Figure.parse, remembered per text: Figure or the error's message."""
        try:
            parsed = Figure.parse(text)
        except FigureParseError as error:
            parsed = str(error)
        else:
            # The qualifier as a plain str (equal to its Qualifier): sqlite3 binds an enum member through its
            # adaptation protocol, 0.2 µs more for each of the ~600,000 qualifiers a 100,000-row import writes.
            parsed = Figure(parsed.value, str(parsed.qualifier))
        if len(self.figures) > _CACHE_SIZE:
            self.figures.clear()
        self.figures[text] = parsed
        return parsed

    def figure(self, values, column):
        text = values[column]
        parsed = self.figures.get(text) or self._parse(text)
        if parsed.__class__ is str:
            self.error(column, parsed)
            return None
        return parsed

    def known_figures(self, values) -> dict:
        """{metric: Figure} of the row's known figures (an empty cell is an unknown figure)."""
        figures, cache = {}, self.figures
        for metric in METRIC_COLUMNS:
            text = values[metric]
            if not text:
                continue
            parsed = cache.get(text) or self._parse(text)
            if parsed.__class__ is str:
                self.error(metric, parsed)
            elif parsed.value is not None:
                figures[metric] = parsed
        return figures

    def count(self, values, column):
        value = values[column].replace(",", "").replace(" ", "")
        if not value:
            return None
        if not value.isdigit():
            self.error(column, _("%(value)s is not a whole number of zero or more") % {"value": repr(values[column])})
            return None
        return int(value)

    def url(self, values, column):
        value = values[column]
        if not value:
            return ""
        if value in self.valid_urls:  # rows share sources; URLValidator's regex was 5% of a large import
            return value
        if len(value) > 1000:
            self.error(column, _("a URL of more than 1,000 characters"))
            return None
        try:
            _URL(value)
        except ValidationError:
            self.error(column, _("%(value)s is not a web address (http:// or https://)") % {"value": repr(value)})
            return None
        if len(self.valid_urls) > _CACHE_SIZE:
            self.valid_urls.clear()
        self.valid_urls.add(value)
        return value

    def needs_source(self, source_url, figures):
        if source_url == "" and figures:
            self.error("source_url", _("the row gives figures but no source: every figure needs a source_url"))

    def role(self, values):
        cell = values["role"]
        role = _ROLES.get(cell)  # the usual case: a role's value as stored ("participant")
        if role is not None:
            return role
        text = cell.strip().casefold()
        role = _ROLES.get(text) if text else None
        if text and role is None:
            self.error(
                "role",
                _("%(value)s is not a role; use one of: %(roles)s")
                % {"value": repr(values["role"]), "roles": ", ".join(Role.values)},
            )
        return role

    def operation(self, number, values, name, known_forms) -> OperationRecord:
        """The cells of an operations row after its name (which the engine checked)."""
        start, end = self.date(values, "start_date"), self.date(values, "end_date")
        if start and end and end < start:
            self.error(
                "end_date", _("the end date %(end)s is before the start date %(start)s") % {"end": end, "start": start}
            )
        figures = self.known_figures(values)
        source_url = self.url(values, "source_url")
        title = self.text(values, "source_title")
        published = self.date(values, "source_published")
        self.needs_source(source_url, figures)
        exploitation = self.text(values, "exploitation_types") or ""
        fields = {
            "coordinator": self.text(values, "coordinator"),
            "area": self.text(values, "region"),
            "start_date": start,
            "end_date": end,
            "year": start.year if start else None,
            "countries_reported": self.count(values, "countries_count"),
            "exploitation_text": exploitation,
            "summary": values["summary"],
        }
        forms = sorted({slug for pattern, slug in _EXPLOITATION if pattern.search(exploitation)} & known_forms)
        return OperationRecord(
            row=number,
            name=name,
            fields={key: value for key, value in fields.items() if value not in (None, "")},
            figures=figures,
            forms=forms,
            source=(source_url, title or "", published) if source_url else None,
        )
