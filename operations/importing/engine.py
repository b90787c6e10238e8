"""The spreadsheet import engine: validate every row of the operations and country-results tables, report every
error with its row and column, then write all or nothing.

Used by `manage.py import_figures` and by the admin import page (preview = the same run with commit=False; nothing is
written until the confirmed run, which validates again inside its transaction). It knows files and rows, never web
requests or sessions (uploads.py keeps the previewed files between the two admin steps)."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db.models import F
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .. import services
from ..figures import Figure, FigureParseError
from ..import_format import COUNTRY_RESULTS, METRIC_COLUMNS, OPERATIONS
from ..models import (
    ExploitationForm,
    Operation,
    Origin,
    Participation,
    Role,
    Source,
    source_key,
)
from ..queries import country_resolver
from .conventions import EXPLOITATION_KEYWORDS, PRIMARY_PUBLISHERS, publisher_from_url, split_title
from .readers import UploadedTable, read_table
from .report import ImportReport, Rejected

CHANGE_REASON = "spreadsheet import"

_TEXT_LIMITS = {"name": 200, "coordinator": 300, "region": 300, "exploitation_types": 500, "source_title": 500}
_URL = URLValidator(schemes=["http", "https"])
_ROLES = {
    **{role.value: role.value for role in Role},
    **{str(role.label).casefold(): role.value for role in Role},
    "command centre": Role.COMMAND_CENTRE,
    "command center": Role.COMMAND_CENTRE,
    "command_center": Role.COMMAND_CENTRE,
}


# --- Validating ---------------------------------------------------------------------------------------------------


@dataclass
class _OperationRow:
    row: int
    name: str
    fields: dict
    figures: dict
    forms: list
    source: tuple | None  # (url, title, published)
    existing_pk: int | None = None
    stored: Operation | None = None
    action: str = "create"
    operation: Operation | None = None


@dataclass
class _CountryRow:
    row: int
    operation_name: str
    country: object
    role: str | None
    figures: dict
    source_url: str
    existing: Participation | None = None
    action: str = "create"


class _Validator:
    def __init__(self, report: ImportReport):
        self.report = report
        self.file = ""
        self.row = 0
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
            return datetime.date.fromisoformat(value[:10] if re.match(r"^\d{4}-\d\d-\d\dT", value) else value)
        except ValueError:
            self.error(
                column, _("%(value)s is not a date (expected YYYY-MM-DD, e.g. 2023-05-14)") % {"value": repr(value)}
            )
            return None

    def figure(self, values, column):
        try:
            return Figure.parse(values[column])
        except FigureParseError as error:
            self.error(column, str(error))
            return None

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
        self.valid_urls.add(value)
        return value


class Importer:
    """One import run: read both files, validate everything, classify rows, and (commit=True) write all or nothing."""

    def __init__(self, operations_file: UploadedTable | None, results_file: UploadedTable | None, *, user=None):
        self.operations_file = operations_file
        self.results_file = results_file
        self.user = user
        self.report = ImportReport()
        self.check = _Validator(self.report)

    # The run -------------------------------------------------------------------------------------------------------

    def run(self, *, commit: bool) -> ImportReport:
        tables = {}
        for kind, upload in ((OPERATIONS, self.operations_file), (COUNTRY_RESULTS, self.results_file)):
            if upload is not None:
                try:
                    rows = read_table(upload, kind, self.report)
                except Rejected:
                    continue
                if not rows and self.report.ok:  # a header alone is not a successful import of nothing
                    self.report.error(upload.name, None, None, _("the file has its header but no data rows"))
                tables[kind] = (upload.name, rows)
        if not self.report.ok:
            return self.report
        if commit:
            try:
                with services.changes():
                    self._validate(tables)
                    if not self.report.ok:
                        raise Rejected
                    self._write()
                    self.report.committed = True
            except Rejected:
                pass
        else:
            self._validate(tables)
        return self.report

    # Validation ------------------------------------------------------------------------------------------------

    def _validate(self, tables):
        existing = {}
        for pk, name in Operation.objects.values_list("pk", "name"):
            existing.setdefault(name.casefold(), []).append((name, pk))
        self.existing_names = existing
        self.forms = {form.slug: form for form in ExploitationForm.objects.all()}
        self.operation_rows = []
        self.country_rows = []
        if OPERATIONS in tables:
            self._validate_operations(*tables[OPERATIONS])
        if COUNTRY_RESULTS in tables:
            self._validate_countries(*tables[COUNTRY_RESULTS])
        if self.report.ok:
            self._classify()

    def _match_existing(self, name, column):
        """The stored operation with exactly this name; an error if one differs only by case."""
        candidates = self.existing_names.get(name.casefold(), [])
        for stored, pk in candidates:
            if stored == name:
                return pk
        if candidates:
            self.check.error(
                column,
                _(
                    "%(name)s differs only by case from the existing operation %(stored)s: use its exact name"
                    " (names are unique whatever their case)"
                )
                % {"name": repr(name), "stored": repr(candidates[0][0])},
            )
        return None

    def _validate_operations(self, file, rows):
        check = self.check
        check.file = file
        seen = {}
        for number, values in rows:
            check.row = number
            name = check.text(values, "name")
            if name == "":
                check.error("name", _("every row needs the operation's name"))
            if name:
                key = name.casefold()
                if key in seen:
                    first_row, first_name = seen[key]
                    if first_name == name:
                        check.error(
                            "name",
                            _("duplicate row: %(name)s is already on row %(row)s")
                            % {"name": repr(name), "row": first_row},
                        )
                    else:
                        check.error(
                            "name",
                            _("%(name)s differs only by case from %(other)s on row %(row)s")
                            % {"name": repr(name), "other": repr(first_name), "row": first_row},
                        )
                    continue
                seen[key] = (number, name)
            start, end = check.date(values, "start_date"), check.date(values, "end_date")
            if start and end and end < start:
                check.error(
                    "end_date",
                    _("the end date %(end)s is before the start date %(start)s") % {"end": end, "start": start},
                )
            figures = {metric: check.figure(values, metric) for metric in METRIC_COLUMNS}
            source_url = check.url(values, "source_url")
            title = check.text(values, "source_title")
            published = check.date(values, "source_published")
            if source_url == "" and any(figure and figure.known for figure in figures.values()):
                check.error("source_url", _("the row gives figures but no source: every figure needs a source_url"))
            exploitation = check.text(values, "exploitation_types") or ""
            fields = {
                "coordinator": check.text(values, "coordinator"),
                "area": check.text(values, "region"),
                "start_date": start,
                "end_date": end,
                "year": start.year if start else None,
                "countries_reported": check.count(values, "countries_count"),
                "exploitation_text": exploitation,
                "summary": values["summary"],
            }
            if not name:
                continue
            existing_pk = self._match_existing(name, "name")
            forms = sorted(
                {slug for pattern, slug in EXPLOITATION_KEYWORDS if re.search(pattern, exploitation, re.I)}
                & set(self.forms)
            )
            self.operation_rows.append(
                _OperationRow(
                    row=number,
                    name=name,
                    fields={key: value for key, value in fields.items() if value not in (None, "")},
                    figures={metric: figure for metric, figure in figures.items() if figure and figure.known},
                    forms=forms,
                    source=(source_url, title or "", published) if source_url else None,
                    existing_pk=existing_pk,
                )
            )

    def _validate_countries(self, file, rows):
        check = self.check
        check.file = file
        resolver = country_resolver()
        in_file = {row.name.casefold(): row for row in self.operation_rows}
        seen = {}
        for number, values in rows:
            check.row = number
            name = values["operation"]
            if not name:
                check.error("operation", _("every row needs the operation's name"))
                continue
            operation_row = in_file.get(name.casefold())
            if operation_row is not None and operation_row.name != name:
                check.error(
                    "operation",
                    _("%(name)s differs only by case from %(other)s in the operations file: use the same spelling")
                    % {"name": repr(name), "other": repr(operation_row.name)},
                )
                continue
            if operation_row is None and self._match_existing(name, "operation") is None:
                if name.casefold() not in self.existing_names:  # else the case mismatch is already reported
                    check.error(
                        "operation",
                        _("unknown operation %(name)s: it is neither in the operations file nor stored")
                        % {"name": repr(name)},
                    )
                continue
            country = resolver.resolve(values["country"])
            if country is None:
                text = values["country"]
                check.error(
                    "country",
                    _(
                        "unknown country %(text)s: use an ISO code (BR, BRA) or its name in English, Spanish or"
                        " French; other spellings can be added as aliases in the admin (Countries)"
                    )
                    % {"text": repr(text)}
                    if text
                    else _("every row needs a country"),
                )
            role_text = values["role"].strip().casefold()
            role = _ROLES.get(role_text) if role_text else None
            if role_text and role is None:
                check.error(
                    "role",
                    _("%(value)s is not a role; use one of: %(roles)s")
                    % {"value": repr(values["role"]), "roles": ", ".join(Role.values)},
                )
            figures = {metric: check.figure(values, metric) for metric in METRIC_COLUMNS}
            source_url = check.url(values, "source_url")
            if source_url == "" and any(figure and figure.known for figure in figures.values()):
                check.error("source_url", _("the row gives figures but no source: every figure needs a source_url"))
            if country is None:
                continue
            key = (name, country.pk)
            if key in seen:
                check.error(
                    "country",
                    _("duplicate row: %(country)s in %(name)s is already on row %(row)s")
                    % {"country": country, "name": name, "row": seen[key]},
                )
                continue
            seen[key] = number
            self.country_rows.append(
                _CountryRow(
                    row=number,
                    operation_name=name,
                    country=country,
                    role=role,
                    figures={metric: figure for metric, figure in figures.items() if figure and figure.known},
                    source_url=source_url or "",
                )
            )
        self.results_file_name = file

    def _exact_pk(self, name):
        for stored, pk in self.existing_names.get(name.casefold(), []):
            if stored == name:
                return pk
        return None

    def _classify(self):
        """Decide create / update / unchanged for every row, and check per-country sums against exact totals."""
        report = self.report
        wanted = {row.existing_pk for row in self.operation_rows if row.existing_pk}
        wanted |= {self._exact_pk(row.operation_name) for row in self.country_rows} - {None}
        self.stored = {}
        ids = sorted(wanted)
        for start in range(0, len(ids), 500):
            for operation in Operation.objects.filter(pk__in=ids[start : start + 500]).prefetch_related(
                "exploitation_forms"
            ):
                self.stored[operation.pk] = operation
        self.stored_participations = {}
        for start in range(0, len(ids), 500):
            for participation in Participation.objects.filter(operation_id__in=ids[start : start + 500]):
                self.stored_participations[(participation.operation_id, participation.country_id)] = participation
        for row in self.operation_rows:
            stored = row.stored = self.stored.get(row.existing_pk)
            if stored is None:
                row.action = "create"
            else:
                changed = any(getattr(stored, key) != value for key, value in row.fields.items())
                changed |= any(stored.figure(metric) != figure for metric, figure in row.figures.items())
                if row.forms:
                    changed |= set(row.forms) != {form.slug for form in stored.exploitation_forms.all()}
                row.action = "update" if changed else "unchanged"
            report.operations[row.action].append(row.name)
        by_name = {row.name: row for row in self.operation_rows}
        for row in self.country_rows:
            operation_row = by_name.get(row.operation_name)
            pk = operation_row.existing_pk if operation_row is not None else self._exact_pk(row.operation_name)
            stored = self.stored_participations.get((pk, row.country.pk)) if pk else None
            row.existing = stored
            if stored is None:
                row.action = "create"
            else:
                changed = row.role is not None and row.role != stored.role
                changed |= any(stored.figure(metric) != figure for metric, figure in row.figures.items())
                row.action = "update" if changed else "unchanged"
            report.countries[row.action] += 1
        report.figures = sum(
            1
            for row in self.operation_rows
            for metric, figure in row.figures.items()
            if row.stored is None or row.stored.figure(metric) != figure
        ) + sum(
            1
            for row in self.country_rows
            for metric, figure in row.figures.items()
            if row.existing is None or row.existing.figure(metric) != figure
        )
        self._check_sums(by_name)

    def _check_sums(self, by_name):
        """The countries' figures must not add up to more than an exact operation total (file and stored values)."""
        per_operation = {}
        for row in self.country_rows:
            per_operation.setdefault(row.operation_name, []).append(row)
        for name, rows in per_operation.items():
            operation_row = by_name.get(name)
            stored = self.stored.get(self._exact_pk(name)) if operation_row is None else operation_row.stored
            totals = dict(stored.figures) if stored is not None else {}
            if operation_row is not None:
                totals.update(operation_row.figures)
            countries = {}
            if stored is not None:
                for (operation_id, country_id), participation in self.stored_participations.items():
                    if operation_id == stored.pk:
                        countries[country_id] = dict(participation.figures)
            for row in rows:
                countries.setdefault(row.country.pk, {}).update(row.figures)
            for excess in services.country_sum_excesses(totals, countries.values()):
                rows_with_metric = [row.row for row in rows if excess.metric.value in row.figures]
                self.report.error(
                    self.results_file_name,
                    rows_with_metric[0] if rows_with_metric else rows[0].row,
                    excess.metric.value,
                    _(
                        "%(name)s: %(excess)s (rows %(rows)s); correct a country's figure or make the total"
                        " approximate (“nearly …”)"
                    )
                    % {"name": name, "excess": excess, "rows": ", ".join(map(str, rows_with_metric))},
                )

    # Writing -----------------------------------------------------------------------------------------------------

    def _write(self):
        user = self.user
        sources = self._write_sources()
        slugs = set(Operation.objects.values_list("slug", flat=True))
        new_operations = []
        for row in self.operation_rows:
            if row.action == "create":
                slug = _unique_slug(row.name, slugs)
                row.operation = Operation(name=row.name, slug=slug, **row.fields)
                new_operations.append(row.operation)
            else:
                row.operation = row.stored
        services.insert_with_history(Operation, new_operations, user=user, change_reason=CHANGE_REASON)
        source_links, form_links = set(), set()
        for row in self.operation_rows:
            operation = row.operation
            if row.action == "update":
                for key, value in row.fields.items():
                    setattr(operation, key, value)
                operation.version += 1
                operation._history_user, operation._change_reason = user, CHANGE_REASON
                operation.save()
                if row.forms:
                    operation.exploitation_forms.set([self.forms[slug] for slug in row.forms])
            elif row.action == "create":
                form_links |= {(operation.pk, self.forms[slug].pk) for slug in row.forms}
            if row.source and row.action != "unchanged":
                source_links.add((operation.pk, sources[row.source[0]].pk))
        operations = {row.name: row.operation for row in self.operation_rows}
        for row in self.country_rows:
            if row.operation_name not in operations:
                operations[row.operation_name] = self.stored[self._exact_pk(row.operation_name)]
        new_participations = []
        for row in self.country_rows:
            operation = operations[row.operation_name]
            if row.existing is None:
                row.existing = Participation(
                    operation_id=operation.pk,
                    country_id=row.country.pk,
                    role=row.role or Role.PARTICIPANT,
                    **Participation.operation_order(operation),
                )
                new_participations.append(row.existing)
            elif row.role is not None and row.role != row.existing.role:
                row.existing.role = row.role
                row.existing._history_user, row.existing._change_reason = user, CHANGE_REASON
                row.existing.save(update_fields=["role"])
            if row.source_url and row.action != "unchanged":
                source_links.add((operation.pk, sources[row.source_url].pk))
        services.insert_with_history(Participation, new_participations, user=user, change_reason=CHANGE_REASON)
        services.link_many(Operation.sources.through, "operation_id", "source_id", source_links)
        services.link_many(Operation.exploitation_forms.through, "operation_id", "exploitationform_id", form_links)
        reports = [
            services.FigureReport(row.operation, None, metric, figure, sources[row.source[0]])
            for row in self.operation_rows
            for metric, figure in row.figures.items()
            if row.action == "create" or row.operation.figure(metric) != figure
        ] + [
            services.FigureReport(operations[row.operation_name], row.existing, metric, figure, sources[row.source_url])
            for row in self.country_rows
            for metric, figure in row.figures.items()
            if row.action == "create" or row.existing.figure(metric) != figure
        ]
        services.record_figures_bulk(reports, origin=Origin.IMPORT, user=user, change_reason=CHANGE_REASON)
        # Operations changed only through their country rows: bump their version too (optimistic concurrency).
        saved = {row.operation.pk for row in self.operation_rows if row.action != "unchanged"}
        ids = sorted(
            {operations[row.operation_name].pk for row in self.country_rows if row.action != "unchanged"} - saved
        )
        for start in range(0, len(ids), 500):
            Operation.objects.filter(pk__in=ids[start : start + 500]).update(version=F("version") + 1)

    def _write_sources(self):
        wanted = {}
        for row in self.operation_rows:
            if row.source and row.source[0] not in wanted:
                wanted[row.source[0]] = row.source
        for row in self.country_rows:
            if row.source_url and row.source_url not in wanted:
                wanted[row.source_url] = (row.source_url, "", None)
        sources = {}
        urls = sorted(wanted)
        for start in range(0, len(urls), 500):
            for source in Source.objects.filter(url__in=urls[start : start + 500]):
                sources[source.url] = source
        new = []
        keys = None
        for url, (_publisher, title_text, published) in wanted.items():
            if url in sources:
                continue
            if keys is None:  # the stored keys, once, so each new source gets a unique one
                keys = set(Source.objects.values_list("key", flat=True))
            publisher, title = split_title(title_text)
            publisher = publisher or publisher_from_url(url)
            source = Source(
                key=source_key(publisher, published, keys),
                url=url,
                publisher=publisher[:200],
                title=title,
                published=published,
                is_primary=any(name.lower() in publisher.lower() for name in PRIMARY_PUBLISHERS),
            )
            sources[url] = source
            new.append(source)
        services.insert_with_history(Source, new, user=self.user, change_reason=CHANGE_REASON, key_fields=("url",))
        return sources


def _unique_slug(name, taken):
    base = slugify(name.removeprefix("Operation "))[:190] or "operation"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


def import_files(
    operations_file: UploadedTable | None, results_file: UploadedTable | None = None, *, commit: bool, user=None
) -> ImportReport:
    """Validate both files together; with commit=True and no error, write everything in one transaction. A data
    package (a zip with a datapackage.json) given as the first file is imported as a package."""
    from .package import import_package, is_package

    if is_package(operations_file) and results_file is None:
        return import_package(operations_file, commit=commit, user=user)
    return Importer(operations_file, results_file, user=user).run(commit=commit)
