"""The data package import: a package (folder or zip: sources, operations, participations, figures) checked whole
against its format and the database, every error listed with its file, row and column, then written all or nothing.

`manage.py load_reference` loads the vendored reference package with it; `import_figures` and the admin import page
take a package as they take the two spreadsheet files (same preview, same report). A package adds what the database
lacks: new sources, operations, participating countries and figure reports. What is stored already is kept as it is
(an editor's correction of a figure, an operation's edited facts, which report is preferred), so loading a package
twice, or a newer one, never overwrites a correction."""

from __future__ import annotations

import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from types import SimpleNamespace

from django.db.models import F
from django.utils.translation import gettext as _

from .. import datapackage, services
from ..figures import Figure
from ..models import (
    ExploitationForm,
    Operation,
    Origin,
    Participation,
    ReportedFigure,
    Source,
)
from .conventions import EXPLOITATION_KEYWORDS
from .package_checks import PackageChecks
from .readers import MAX_BYTES, UploadedTable, read_table
from .report import ImportReport, Rejected

CHANGE_REASON = "data package import"
# What identifies a stored report (its figure and what its source says).
_REPORT_KEY = ("operation_id", "participation_id", "metric", "source_id", "value", "qualifier")


# --- Reading a package --------------------------------------------------------------------------------------------


def is_package(upload: UploadedTable | None) -> bool:
    """A zip that holds a datapackage.json (an XLSX workbook is a zip too, without one)."""
    if upload is None or upload.head(4) != b"PK\x03\x04":
        return False
    try:
        with upload.open() as file, zipfile.ZipFile(file) as archive:
            return _descriptor_folder(archive.namelist()) is not None
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def _descriptor_folder(names) -> str | None:
    """Where datapackage.json is in a zip: at its root, or in one folder (a zipped folder)."""
    for name in sorted(names, key=len):
        path = PurePosixPath(name)
        if path.name == datapackage.DESCRIPTOR and len(path.parts) <= 2:
            return str(path.parent) if len(path.parts) == 2 else ""
    return None


def package_files(source) -> dict[str, UploadedTable | None]:
    """{file name: UploadedTable or None if missing} for a package given as a folder, a zip file's path or an
    uploaded zip (UploadedTable)."""
    names = [datapackage.file_name(name) for name in datapackage.resources()]
    if isinstance(source, (str, Path)) and Path(source).is_dir():
        folder = Path(source)
        return {name: UploadedTable.from_path(folder / name) if (folder / name).is_file() else None for name in names}
    upload = source if isinstance(source, UploadedTable) else UploadedTable.from_path(source)
    files = dict.fromkeys(names)
    with upload.open() as file, zipfile.ZipFile(file) as archive:
        folder = _descriptor_folder(archive.namelist()) or ""
        for name in names:
            try:
                info = archive.getinfo(f"{folder}/{name}" if folder else name)
            except KeyError:
                continue
            # An entry that would unpack past the limit is refused unread (a zip bomb stays packed).
            data = archive.read(info) if info.file_size <= MAX_BYTES else b""
            files[name] = UploadedTable(name, data, info.file_size)
    return files


# --- Checking -----------------------------------------------------------------------------------------------------


@dataclass
class _Tables:
    """The package's rows, {file kind: [(row number, {column: text})]}, and the checked values built from them."""

    rows: dict = field(default_factory=dict)
    sources: dict = field(default_factory=dict)  # id -> {column: value}
    operations: dict = field(default_factory=dict)
    participations: dict = field(default_factory=dict)  # (operation, country) -> {column: value}
    figures: list = field(default_factory=list)  # [(row number, {column: value})]


class PackageImporter(PackageChecks):
    """One package import run: read the four files, check everything, classify, and (commit=True) write what the
    database lacks, all or nothing."""

    def __init__(self, files: dict[str, UploadedTable | None], *, user=None, origin: str = Origin.IMPORT):
        self.files = files
        self.user = user
        self.origin = origin
        self.report = ImportReport()
        self.tables = _Tables()

    def run(self, *, commit: bool) -> ImportReport:
        self._read()
        if not self.report.ok:
            return self.report
        self._check()
        if not self.report.ok:
            return self.report
        if commit:
            try:
                with services.changes():
                    self._classify()  # again inside the transaction: what is stored now
                    self._write()
                    self.report.committed = True
            except Rejected:
                pass
        else:
            try:
                self._classify()
            except Rejected:
                pass
        return self.report

    def error(self, kind, row, column, message):
        self.report.error(datapackage.file_name(kind), row, column, message)

    # Reading -------------------------------------------------------------------------------------------------------

    def _read(self):
        for kind in datapackage.resources():
            name = datapackage.file_name(kind)
            upload = self.files.get(name)
            if upload is None:
                self.report.error(
                    name,
                    None,
                    None,
                    _("missing file: a data package has %(files)s")
                    % {"files": ", ".join(datapackage.file_name(k) for k in datapackage.resources())},
                )
                continue
            try:
                self.tables.rows[kind] = read_table(upload, kind, self.report, columns=datapackage.columns(kind))
            except Rejected:
                pass

    def _classify(self):
        """What is stored already (kept) and what is new, per row; refuses a package that contradicts the database
        where it cannot be merged (a new operation with a stored operation's name, an id taken by another)."""
        tables, report = self.tables, self.report
        stored_sources = {}
        for source in Source.objects.filter(key__in=sorted(tables.sources)):
            stored_sources[source.key] = source
        by_url = {row["url"]: key for key, row in tables.sources.items() if key not in stored_sources}
        urls = sorted(by_url)
        for start in range(0, len(urls), 500):
            for source in Source.objects.filter(url__in=urls[start : start + 500]):
                stored_sources[by_url[source.url]] = source  # the same page under another key: cite the stored one
        self.stored_sources = stored_sources
        slugs = sorted(tables.operations)
        names = sorted(row["name"] for row in tables.operations.values())
        stored_operations = {}
        for start in range(0, len(slugs), 500):
            for operation in Operation.objects.filter(slug__in=slugs[start : start + 500]):
                stored_operations[operation.slug] = operation
        by_name = {}
        for start in range(0, len(names), 500):
            for operation in Operation.objects.filter(name__in=names[start : start + 500]):
                by_name[operation.name] = operation
        for slug, row in tables.operations.items():
            named = by_name.get(row["name"])
            if slug not in stored_operations and named is not None:
                if named.slug in tables.operations:
                    self.error(
                        datapackage.OPERATIONS,
                        row["_row"],
                        "name",
                        _("the stored operation %(slug)s has this name; ids and names must match")
                        % {"slug": named.slug},
                    )
                    continue
                stored_operations[slug] = named  # stored under another slug: the same operation
            operation = stored_operations.get(slug)
            report.operations["unchanged" if operation else "create"].append(row["name"])
        if not report.ok:
            raise Rejected
        self.stored_operations = stored_operations
        operation_ids = sorted(operation.pk for operation in stored_operations.values())
        self.stored_participations = {}
        self.stored_reports = set()
        self.stored_keys = set()
        self.preferred_slots = set()
        for start in range(0, len(operation_ids), 500):
            chunk = operation_ids[start : start + 500]
            chunk_participations = list(Participation.objects.filter(operation_id__in=chunk).select_related("country"))
            for participation in chunk_participations:
                self.stored_participations[(participation.operation_id, participation.country.iso2)] = participation
            stored = ReportedFigure.objects.filter(operation_id__in=chunk).values(
                "operation_id",
                "participation_id",
                "metric",
                "source_id",
                "value",
                "qualifier",
                "is_preferred",
                "reference_key",
            )
            # A country row an unattended spreadsheet import wrote keeps its figures on the row (services.implicit).
            stored = [
                *stored,
                *(
                    {name: getattr(report, name) for name in _REPORT_KEY} | {"is_preferred": True, "reference_key": ""}
                    for report in services.implicit_reports(chunk_participations, sources=False)
                ),
            ]
            for figure in stored:
                slot = (figure["operation_id"], figure["participation_id"], figure["metric"])
                self.stored_reports.add((*slot, figure["source_id"], figure["value"], figure["qualifier"]))
                if figure["reference_key"]:
                    self.stored_keys.add(figure["reference_key"])
                if figure["is_preferred"]:
                    self.preferred_slots.add(slot)
        for slug, code in tables.participations:
            operation = stored_operations.get(slug)
            kept = operation is not None and (operation.pk, code) in self.stored_participations
            report.countries["unchanged" if kept else "create"] += 1
        self.new_figures = []
        for number, row in tables.figures:
            if self._stored_figure(row) is None:
                self.new_figures.append((number, row))
        report.figures = len(self.new_figures)
        report.sources = sum(1 for key in tables.sources if key not in stored_sources)
        self._check_sums()

    @staticmethod
    def reference_key(row) -> str:
        """The report's key in the package (its primary key), kept on the stored report: reloading skips it even
        after an editor changed its value."""
        return "|".join(
            ("figures.csv", row["operation"], row["country"] or "", row["metric"], row["source"], row["stated_as"])
        )

    def _stored_figure(self, row):
        """True if the database already holds this report (by its package key, or the same value from the same
        source for the same figure); None if it is new."""
        if self.reference_key(row) in self.stored_keys:
            return True
        operation = self.stored_operations.get(row["operation"])
        source = self.stored_sources.get(row["source"])
        if operation is None or source is None:
            return None
        participation = self.stored_participations.get((operation.pk, row["country"])) if row["country"] else None
        if row["country"] and participation is None:
            return None
        slot = (operation.pk, participation.pk if participation else None, row["metric"])
        return True if (*slot, source.pk, row["value"], row["qualifier"]) in self.stored_reports else None

    def _check_sums(self):
        """A new operation's preferred country figures must not add up to more than its exact total."""
        totals, countries = defaultdict(dict), defaultdict(lambda: defaultdict(dict))
        rows = defaultdict(list)
        for number, row in self.tables.figures:
            if not row["preferred"] or row["operation"] in self.stored_operations:
                continue
            figure = Figure(row["value"], row["qualifier"])
            if row["country"]:
                countries[row["operation"]][row["country"]][row["metric"]] = figure
                rows[(row["operation"], row["metric"])].append(number)
            else:
                totals[row["operation"]][row["metric"]] = figure
        for slug, by_country in countries.items():
            for excess in services.country_sum_excesses(totals[slug], by_country.values()):
                numbers = rows[(slug, excess.metric.value)]
                self.error(
                    datapackage.FIGURES,
                    numbers[0],
                    "value",
                    _("%(operation)s: %(excess)s (rows %(rows)s)")
                    % {"operation": slug, "excess": excess, "rows": ", ".join(map(str, numbers))},
                )

    # Writing -------------------------------------------------------------------------------------------------------

    def _write(self):
        if not self.report.ok:
            raise Rejected
        tables, user = self.tables, self.user
        new_anything = (
            self.new_figures
            or self.report.sources
            or self.report.operations["create"]
            or self.report.countries["create"]
        )
        if not new_anything:
            return  # nothing new: no write at all, so the data version (and every cached page) stays
        sources = dict(self.stored_sources)
        new_sources = []
        for key, row in tables.sources.items():
            if key in sources:
                continue
            sources[key] = Source(
                key=key,
                url=row["url"],
                title=row["title"] or "",
                publisher=row["publisher"],
                published=row["published"],
                language=row["language"] or "",
                is_primary=row["is_primary"],
            )
            new_sources.append(sources[key])
        services.insert_with_history(Source, new_sources, user=user, change_reason=CHANGE_REASON, key_fields=("key",))
        operations = dict(self.stored_operations)
        new_operations = []
        for slug, row in tables.operations.items():
            if slug in operations:
                continue
            facts = sources[row["facts_source"]]
            operations[slug] = Operation(
                name=row["name"],
                slug=slug,
                coordinator=row["coordinator"],
                area=row["area"],
                year=row["start_date"].year if row["start_date"] else None,
                start_date=row["start_date"],
                end_date=row["end_date"],
                date_precision=row["date_precision"],
                countries_reported=row["countries_reported"],
                exploitation_text=row["exploitation"],
                notes=row["notes"] or "",
                is_single_country=row["single_country"],
                is_verified=row["verified"],
                facts_source_id=facts.pk,
            )
            new_operations.append(operations[slug])
        services.insert_with_history(Operation, new_operations, user=user, change_reason=CHANGE_REASON)
        forms = {form.slug: form.pk for form in ExploitationForm.objects.all()}
        form_links = {
            (operation.pk, forms[slug])
            for operation in new_operations
            for pattern, slug in EXPLOITATION_KEYWORDS
            if slug in forms and re.search(pattern, operation.exploitation_text, re.I)
        }
        source_links = {(operation.pk, operation.facts_source_id) for operation in new_operations}
        participations = dict(self.stored_participations)
        new_participations = []
        for (slug, code), row in tables.participations.items():
            operation = operations[slug]
            if (operation.pk, code) in participations:
                continue
            source = sources[row["source"]] if row["source"] else None
            participation = Participation(
                operation_id=operation.pk,
                country_id=self.countries[code],
                role=row["role"],
                notes=row["notes"] or "",
                source_id=source.pk if source else None,
                **Participation.operation_order(operation),
            )
            participations[(operation.pk, code)] = participation
            new_participations.append(participation)
            if source is not None:
                source_links.add((operation.pk, source.pk))
        services.insert_with_history(Participation, new_participations, user=user, change_reason=CHANGE_REASON)
        defaults = {field.attname: field.get_default() for field in ReportedFigure._meta.concrete_fields}
        preferred_slots = set(self.preferred_slots)
        new_reports = []
        touched = {operation.pk for operation in new_operations}
        for _number, row in self.new_figures:
            operation = operations[row["operation"]]
            participation = participations[(operation.pk, row["country"])] if row["country"] else None
            slot = (operation.pk, participation.pk if participation else None, row["metric"])
            # A figure that has a preferred report keeps it (an editor may have chosen it): the new one joins the
            # alternatives.
            is_preferred = row["preferred"] and slot not in preferred_slots
            if is_preferred:
                preferred_slots.add(slot)
            source = sources[row["source"]]
            new_reports.append(
                SimpleNamespace(
                    **{
                        **defaults,
                        "operation_id": operation.pk,
                        "participation_id": slot[1],
                        "metric": row["metric"],
                        "value": row["value"],
                        "qualifier": row["qualifier"],
                        "stated_as": row["stated_as"],
                        "source_id": source.pk,
                        "quote": row["quote"],
                        "note": row["note"] or "",
                        "is_preferred": is_preferred,
                        "origin": self.origin,
                        "reference_key": self.reference_key(row),
                        "updated_by_id": user.pk if user else None,
                    }
                )
            )
            source_links.add((operation.pk, source.pk))
            touched.add(operation.pk)
        # New reports of stored country rows join their implicit ones, made rows first (services.implicit).
        services.materialize_reports({report.operation_id for report in new_reports})
        services.insert_with_history(ReportedFigure, new_reports, user=user, change_reason=CHANGE_REASON)
        services.link_many(Operation.sources.through, "operation_id", "source_id", source_links)
        services.link_many(Operation.exploitation_forms.through, "operation_id", "exploitationform_id", form_links)
        touched |= {participation.operation_id for participation in new_participations}
        services.refresh_preferred_figures_bulk(touched)
        # Stored operations that gained countries or reports: a form opened before this import is out of date.
        stored = sorted(touched & {operation.pk for operation in self.stored_operations.values()})
        for start in range(0, len(stored), 500):
            Operation.objects.filter(pk__in=stored[start : start + 500]).update(version=F("version") + 1)


def import_package(source, *, commit: bool, user=None, origin: str = Origin.IMPORT) -> ImportReport:
    """Check a package (folder, zip path or uploaded zip) and, with commit=True and no error, write what is new."""
    try:
        files = package_files(source)
    except (zipfile.BadZipFile, OSError) as error:
        report = ImportReport()
        name = source.name if isinstance(source, UploadedTable) else str(source)
        report.error(
            name,
            None,
            None,
            _("not a readable data package (%(error)s)")
            % {"error": getattr(error, "strerror", None) or error.__class__.__name__},
        )
        return report
    return PackageImporter(files, user=user, origin=origin).run(commit=commit)
