"""Checking a data package's rows: every cell against the format's Table Schema, the keys and references between
its files, and the rules across tables; each error with its file, row and column (PackageImporter's first step)."""

from __future__ import annotations

import datetime
import re
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from .. import datapackage
from ..models import (
    Country,
    Operation,
    ReportedFigure,
    Source,
)

_URL = URLValidator(schemes=["http", "https"])
_DATE = re.compile(r"^\d{4}-\d\d-\d\d$")
# The longest text each column can store (the model field behind it).
_MAX_LENGTHS = {
    (datapackage.SOURCES, "id"): Source._meta.get_field("key").max_length,
    (datapackage.SOURCES, "url"): Source._meta.get_field("url").max_length,
    (datapackage.SOURCES, "title"): Source._meta.get_field("title").max_length,
    (datapackage.SOURCES, "publisher"): Source._meta.get_field("publisher").max_length,
    (datapackage.SOURCES, "language"): Source._meta.get_field("language").max_length,
    (datapackage.OPERATIONS, "id"): Operation._meta.get_field("slug").max_length,
    (datapackage.OPERATIONS, "name"): Operation._meta.get_field("name").max_length,
    (datapackage.OPERATIONS, "coordinator"): Operation._meta.get_field("coordinator").max_length,
    (datapackage.OPERATIONS, "area"): Operation._meta.get_field("area").max_length,
    (datapackage.OPERATIONS, "exploitation"): Operation._meta.get_field("exploitation_text").max_length,
    (datapackage.FIGURES, "stated_as"): ReportedFigure._meta.get_field("stated_as").max_length,
}
_SMALL_INTEGER = 32767  # countries_reported is a PositiveSmallIntegerField


class PackageChecks:
    """The checks of PackageImporter (package.py): they read self.tables and report through self.error."""

    # Checking ------------------------------------------------------------------------------------------------------

    def _check(self):
        """Every cell against the format's Table Schema, then keys, references and the cross-table rules."""
        checked = {kind: [] for kind in datapackage.resources()}
        for kind, fields in datapackage.resources().items():
            for number, values in self.tables.rows[kind]:
                row = {}
                for spec in fields["fields"]:
                    row[spec["name"]] = self._cell(kind, number, spec, values[spec["name"]])
                checked[kind].append((number, row))
        self._keys(checked)
        self._cross_table()  # on the rows whose cells passed, so that one run lists every error

    def _cell(self, kind, number, spec, text):
        """One cell's value (None when empty), or an error. Types and constraints as the descriptor states them."""
        name, constraints = spec["name"], spec.get("constraints", {})
        if text == "":
            if constraints.get("required"):
                self.error(kind, number, name, _("required: this column may not be empty"))
            return None
        limit = _MAX_LENGTHS.get((kind, name))
        if limit and len(text) > limit:
            self.error(
                kind,
                number,
                name,
                _("%(length)s characters; at most %(limit)s") % {"length": len(text), "limit": limit},
            )
            return None
        kind_of = spec.get("type", "string")
        value = text
        if kind_of == "integer":
            if not re.fullmatch(r"-?\d+", text):
                self.error(kind, number, name, _("%(value)s is not a whole number") % {"value": repr(text)})
                return None
            value = int(text)
            if "minimum" in constraints and value < constraints["minimum"]:
                self.error(
                    kind,
                    number,
                    name,
                    _("%(value)s is less than %(minimum)s") % {"value": value, "minimum": constraints["minimum"]},
                )
                return None
            if name == "countries_reported" and value > _SMALL_INTEGER:
                self.error(kind, number, name, _("%(value)s is too large") % {"value": value})
                return None
        elif kind_of == "boolean":
            true, false = spec.get("trueValues", ["true"]), spec.get("falseValues", ["false"])
            if text not in true + false:
                self.error(
                    kind,
                    number,
                    name,
                    _("%(value)s is not %(choices)s") % {"value": repr(text), "choices": " / ".join(true + false)},
                )
                return None
            value = text in true
        elif kind_of == "date":
            try:
                value = datetime.date.fromisoformat(text) if _DATE.match(text) else None
            except ValueError:
                value = None
            if value is None:
                self.error(kind, number, name, _("%(value)s is not a date (YYYY-MM-DD)") % {"value": repr(text)})
                return None
        elif spec.get("format") == "uri":
            try:
                _URL(text)
            except ValidationError:
                self.error(
                    kind,
                    number,
                    name,
                    _("%(value)s is not a web address (http:// or https://)") % {"value": repr(text)},
                )
                return None
        if "enum" in constraints and value not in constraints["enum"]:
            self.error(
                kind,
                number,
                name,
                _("%(value)s is not one of: %(choices)s")
                % {"value": repr(text), "choices": ", ".join(constraints["enum"])},
            )
            return None
        if "pattern" in constraints and not re.fullmatch(constraints["pattern"], text):
            self.error(
                kind,
                number,
                name,
                _("%(value)s does not match the pattern %(pattern)s")
                % {"value": repr(text), "pattern": constraints["pattern"]},
            )
            return None
        return value

    def _keys(self, checked):
        """Primary keys unique, foreign keys pointing at a row of the package."""
        tables = self.tables
        for kind, target in (
            (datapackage.SOURCES, tables.sources),
            (datapackage.OPERATIONS, tables.operations),
        ):
            for number, row in checked[kind]:
                if row["id"] is None:
                    continue
                if row["id"] in target:
                    self.error(
                        kind,
                        number,
                        "id",
                        _("duplicate id %(id)s (first on row %(row)s)")
                        % {"id": repr(row["id"]), "row": target[row["id"]]["_row"]},
                    )
                    continue
                target[row["id"]] = {**row, "_row": number}
        for number, row in checked[datapackage.PARTICIPATIONS]:
            key = (row["operation"], row["country"])
            if None in key:
                continue
            if key in tables.participations:
                self.error(
                    datapackage.PARTICIPATIONS,
                    number,
                    "country",
                    _("duplicate row: %(country)s in %(operation)s is already on row %(row)s")
                    % {"country": key[1], "operation": key[0], "row": tables.participations[key]["_row"]},
                )
                continue
            tables.participations[key] = {**row, "_row": number}
        seen = {}
        for number, row in checked[datapackage.FIGURES]:
            key = (row["operation"], row["country"] or "", row["metric"], row["source"], row["stated_as"])
            if None in key:
                continue
            if key in seen:
                self.error(
                    datapackage.FIGURES,
                    number,
                    "stated_as",
                    _("duplicate row: the same operation, country, metric, source and stated_as as row %(row)s")
                    % {"row": seen[key]},
                )
                continue
            seen[key] = number
            tables.figures.append((number, row))
        references = [
            (datapackage.OPERATIONS, tables.operations.values(), "facts_source", tables.sources, datapackage.SOURCES),
            (datapackage.PARTICIPATIONS, tables.participations.values(), "operation", tables.operations, "operations"),
            (datapackage.PARTICIPATIONS, tables.participations.values(), "source", tables.sources, "sources"),
            (
                datapackage.FIGURES,
                (row | {"_row": n} for n, row in tables.figures),
                "operation",
                tables.operations,
                "operations",
            ),
            (
                datapackage.FIGURES,
                (row | {"_row": n} for n, row in tables.figures),
                "source",
                tables.sources,
                "sources",
            ),
        ]
        for kind, rows, column, target, target_kind in references:
            for row in rows:
                if row[column] is not None and row[column] not in target:
                    self.error(
                        kind,
                        row["_row"],
                        column,
                        _("%(value)s is not an id in %(file)s")
                        % {"value": repr(row[column]), "file": datapackage.file_name(target_kind)},
                    )

    def _cross_table(self):
        """The rules a Table Schema cannot state (validate.py's): known countries, one preferred report per figure,
        a country's figure only for a participating country, the names the database keeps unique."""
        tables = self.tables
        codes = {key[1] for key in tables.participations}
        codes |= {row["country"] for _, row in tables.figures if row["country"]}
        self.countries = dict(Country.objects.filter(iso2__in=sorted(codes)).values_list("iso2", "pk"))
        for (_operation, code), row in tables.participations.items():
            if code not in self.countries:
                self.error(
                    datapackage.PARTICIPATIONS,
                    row["_row"],
                    "country",
                    _("unknown country code %(code)s") % {"code": code},
                )
        preferred = defaultdict(list)
        reports = {}
        for number, row in tables.figures:
            slot = (row["operation"], row["country"] or "", row["metric"])
            preferred[slot].append((number, row["preferred"]))
            if row["country"] and (row["operation"], row["country"]) not in tables.participations:
                self.error(
                    datapackage.FIGURES,
                    number,
                    "country",
                    _("%(country)s has a figure but no row in participations.csv for %(operation)s")
                    % {"country": row["country"], "operation": row["operation"]},
                )
            # The database keeps one report per source, value and qualifier of a figure.
            same = (*slot, row["source"], row["value"], row["qualifier"])
            if same in reports:
                self.error(
                    datapackage.FIGURES,
                    number,
                    "stated_as",
                    _("the same source gives the same value and qualifier on row %(row)s") % {"row": reports[same]},
                )
            reports[same] = number
        for (operation, country, metric), rows in preferred.items():
            marked = [number for number, is_preferred in rows if is_preferred]
            if any(is_preferred is None for _number, is_preferred in rows):
                continue  # a `preferred` cell is already reported as unreadable
            if len(marked) != 1:
                where = f"{operation}/{country or '-'}/{metric}"
                for number in marked or [rows[0][0]]:
                    self.error(
                        datapackage.FIGURES,
                        number,
                        "preferred",
                        _("%(figure)s has %(count)s preferred reports; exactly one must be preferred")
                        % {"figure": where, "count": len(marked)},
                    )
        names = {}
        for _slug, row in tables.operations.items():
            if row["start_date"] and row["end_date"] and row["end_date"] < row["start_date"]:
                self.error(
                    datapackage.OPERATIONS,
                    row["_row"],
                    "end_date",
                    _("the end date %(end)s is before the start date %(start)s")
                    % {"end": row["end_date"], "start": row["start_date"]},
                )
            if row["name"] is None:
                continue
            if row["name"] in names:
                self.error(
                    datapackage.OPERATIONS,
                    row["_row"],
                    "name",
                    _("duplicate name %(name)s (also on row %(row)s)")
                    % {"name": repr(row["name"]), "row": names[row["name"]]},
                )
            names[row["name"]] = row["_row"]

    # Classifying ---------------------------------------------------------------------------------------------------
