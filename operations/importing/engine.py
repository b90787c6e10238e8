"""The spreadsheet import engine: stream the operations and country-results files in batches, check every row and
the rules across rows, report every error with its file, row and column, and write all or nothing.

Used by `manage.py import_figures` (any size: batches are written as they are checked, inside one transaction
that is rolled back on the first error found anywhere, the rest still checked for the report) and by the admin
import page (preview = the same run with commit=False, which writes nothing; the confirmed run checks again inside
its transaction). Memory stays flat as the file grows: what is kept across batches is per operation (its state
below), never per row. It knows files and rows, never web requests or sessions (uploads.py keeps the previewed
files between the two admin steps)."""

from __future__ import annotations

import itertools
import time
from array import array
from datetime import date

from django.db.models import Sum
from django.utils.translation import gettext as _

from .. import services
from ..figures import Figure, Qualifier
from ..import_format import COUNTRY_RESULTS, METRIC_COLUMNS, OPERATIONS
from ..models import ExploitationForm, Operation, Participation
from ..queries import country_resolver
from .readers import LIMITED, UploadedTable, open_table
from .report import ImportReport, Rejected
from .validate import Cells, CountryRecord, OperationRecord
from .writer import Writer

BATCH = 2_000  # rows checked (and written) at a time
_QUALIFIERS = [f"{metric}_qualifier" for metric in METRIC_COLUMNS]
_BITS = {metric: 1 << index for index, metric in enumerate(METRIC_COLUMNS)}  # a row's metrics as bits
_INDEX = {metric: index for index, metric in enumerate(METRIC_COLUMNS)}


class OperationState:
    """What the run keeps per operation named in either file: enough for the rules across rows (a country named
    twice, the countries' sums against an exact total) and for writing its country rows."""

    __slots__ = (
        "country_rows",
        "exact",
        "name",
        "pk",
        "places",
        "row",
        "saved",
        "seen",
        "sort_date",
        "stored",
        "sums",
        "touched",
    )

    def __init__(self, name, pk=None, row=None):
        self.name = name
        self.row = row  # its row in the operations file
        self.pk = pk  # set when stored, or once written
        self.stored = pk is not None  # in the database before this run
        self.exact = None  # metric index -> exact total (None until known)
        self.sums = None  # per metric index: the countries' known values added up (stored and from the file)
        # Its country rows, in file order, as machine integers: the run's number for the country, and the row number
        # << 4 | bits of the metrics the row gives. A dict per operation took ~80 bytes a country row (77 MB at a
        # million rows, measured); these take 12, plus a bitmap of the countries seen (a bit per country).
        self.places, self.country_rows, self.seen = array("i"), array("q"), bytearray()
        self.sort_date = date.min  # the start date, as participations keep it for the results order
        self.saved = False  # its operations row changed it (its version is bumped by that save)
        self.touched = False  # a country row changed it

    def first_row(self, place) -> int | None:
        """The row that already named the country the run numbers `place`, or None."""
        byte = place >> 3
        if byte < len(self.seen) and self.seen[byte] >> (place & 7) & 1:
            return self.country_rows[self.places.index(place)] >> 4
        return None

    def add_country(self, place, entry) -> None:
        byte = place >> 3
        if byte >= len(self.seen):
            self.seen.extend(bytes(byte + 1 - len(self.seen)))
        self.seen[byte] |= 1 << (place & 7)
        self.places.append(place)
        self.country_rows.append(entry)


class Importer:
    """One import run: open both files, check every row and the rules across rows, and (commit=True) write all or
    nothing. `progress(rows)` is called after each batch."""

    def __init__(
        self,
        operations_file: UploadedTable | None,
        results_file: UploadedTable | None,
        *,
        user=None,
        limits=LIMITED,
        progress=None,
    ):
        self.files = ((OPERATIONS, operations_file), (COUNTRY_RESULTS, results_file))
        self.user = user
        self.limits = limits
        self.progress = progress
        self.report = ImportReport()
        self.cells = Cells(self.report)

    def run(self, *, commit: bool) -> ImportReport:
        tables = []
        for kind, upload in self.files:
            if upload is not None:
                try:
                    tables.append((kind, upload.name, open_table(upload, kind, self.report, limits=self.limits)))
                except Rejected:
                    continue
        if not self.report.ok:
            return self.report
        try:
            if commit:
                with services.changes(), Writer(self.user) as writer:
                    self._run(tables, writer)
                    if not self.report.ok:
                        raise Rejected  # rolls back every batch written
                    self.report.committed = True
            else:
                self._run(tables, None)
        except Rejected:
            pass
        return self.report

    def _run(self, tables, writer):
        self.writer = writer
        self.existing_names = {}
        for pk, name in Operation.objects.values_list("pk", "name"):
            self.existing_names.setdefault(name.casefold(), []).append((name, pk))
        self.forms = {form.slug: form for form in ExploitationForm.objects.all()}
        self.in_file = {}  # casefolded name -> OperationState, for the operations file's rows
        self.stored_only = {}  # pk -> OperationState, for stored operations named only by country rows
        self.resolver, self.countries = country_resolver(), {}
        self.places = {}  # country id -> the run's number for it, 0, 1, 2...: a bit in each operation's bitmap
        self.states_by_name = {}  # exact operation name in a country row -> its state, once resolved
        self.results_file = None
        done, started = 0, time.monotonic()
        for kind, name, rows in tables:
            self.cells.file = name
            count = 0
            for batch in itertools.batched(rows, BATCH):
                count += len(batch)
                if kind == OPERATIONS:
                    self._operations(batch)
                else:
                    self.results_file = name
                    self._countries(batch)
                done += len(batch)
                if self.progress:
                    self.progress(done, time.monotonic() - started)
            if not count and self.report.ok:  # a header alone is not a successful import of nothing
                self.report.error(name, None, None, _("the file has its header but no data rows"))
        if self.report.ok:
            self._check_sums()
        if writer is not None and self.report.ok:
            writer.finish(itertools.chain(self.in_file.values(), self.stored_only.values()))

    def _writing(self):
        return self.writer is not None and self.report.ok

    # Operations ----------------------------------------------------------------------------------------------------

    def _exact_pk(self, name):
        for stored, pk in self.existing_names.get(name.casefold(), []):
            if stored == name:
                return pk
        return None

    def _match_existing(self, name, column):
        """The stored operation with exactly this name; an error if one differs only by case."""
        pk = self._exact_pk(name)
        candidates = self.existing_names.get(name.casefold(), [])
        if pk is None and candidates:
            self.cells.error(
                column,
                _(
                    "%(name)s differs only by case from the existing operation %(stored)s: use its exact name"
                    " (names are unique whatever their case)"
                )
                % {"name": repr(name), "stored": repr(candidates[0][0])},
            )
        return pk

    def _operations(self, batch):
        cells, records = self.cells, []
        for number, values in batch:
            cells.row = number
            name = cells.text(values, "name")
            if name == "":
                cells.error("name", _("every row needs the operation's name"))
            if name:
                seen = self.in_file.get(name.casefold())
                if seen is not None:
                    first_row, first_name = seen.row, seen.name
                    if first_name == name:
                        message = _("duplicate row: %(name)s is already on row %(row)s")
                    else:
                        message = _("%(name)s differs only by case from %(other)s on row %(row)s")
                    cells.error("name", message % {"name": repr(name), "other": repr(first_name), "row": first_row})
                    continue
            record = cells.operation(number, values, name, self.forms.keys())
            if not name:
                continue
            record.state = state = OperationState(name, self._match_existing(name, "name"), number)
            self.in_file[name.casefold()] = state
            records.append(record)
        stored = self._stored_operations([record.state.pk for record in records if record.state.stored])
        for record in records:
            state = record.state
            operation = stored.get(state.pk)
            action = self._classify_operation(record, operation)
            self.report.operations[action].append(record.name)
            totals = dict(operation.figures) if operation is not None else {}
            totals.update(record.figures)
            state.exact = _exact(totals)
            start = record.fields.get("start_date", operation.start_date if operation else None)
            state.sort_date = start or date.min
            state.saved = action != "unchanged" and operation is not None
            record.action, record.stored = action, operation
        if self._writing():
            self.writer.operations(records)

    def _stored_operations(self, pks) -> dict:
        stored = {}
        for start in range(0, len(pks), 500):
            for operation in Operation.objects.filter(pk__in=pks[start : start + 500]).prefetch_related(
                "exploitation_forms"
            ):
                stored[operation.pk] = operation
        return stored

    def _classify_operation(self, record: OperationRecord, stored) -> str:
        if stored is None:
            self.report.figures += len(record.figures)
            return "create"
        changed_figures = sum(1 for metric, figure in record.figures.items() if stored.figure(metric) != figure)
        self.report.figures += changed_figures
        changed = changed_figures > 0 or any(getattr(stored, key) != value for key, value in record.fields.items())
        if record.forms:
            changed |= set(record.forms) != {form.slug for form in stored.exploitation_forms.all()}
        return "update" if changed else "unchanged"

    # Country results -----------------------------------------------------------------------------------------------

    def _operation_of(self, name):
        """The state of the operation a country row names, or None with the error reported."""
        state = self.in_file.get(name.casefold())
        if state is not None:
            if state.name != name:
                self.cells.error(
                    "operation",
                    _("%(name)s differs only by case from %(other)s in the operations file: use the same spelling")
                    % {"name": repr(name), "other": repr(state.name)},
                )
                return None
            return state
        pk = self._match_existing(name, "operation")
        if pk is None:
            if name.casefold() not in self.existing_names:  # else the case mismatch is already reported
                self.cells.error(
                    "operation",
                    _("unknown operation %(name)s: it is neither in the operations file nor stored")
                    % {"name": repr(name)},
                )
            return None
        state = self.stored_only.get(pk)
        if state is None:
            state = self.stored_only[pk] = OperationState(name, pk)
        return state

    def _country(self, text):
        """(country, its id, the run's number for it) for a country cell, or None; remembered per text (rows repeat
        a few hundred)."""
        known = self.countries.get(text, False)
        if known is False:
            if len(self.countries) > 10_000:
                self.countries.clear()
            country = self.resolver.resolve(text)
            if country is None:
                known = self.countries[text] = None
            else:
                place = self.places.setdefault(country.pk, len(self.places))
                known = self.countries[text] = (country, country.pk, place)
        return known

    def _countries(self, batch):
        cells, records = self.cells, []
        # Per run: the states of the names already resolved without error (the only per-row cost of most rows).
        states, country_of = self.states_by_name, self._country
        role_of, known_figures, url, needs_source = cells.role, cells.known_figures, cells.url, cells.needs_source
        for number, values in batch:
            cells.row = number
            name = values["operation"]
            state = states.get(name)
            if state is None:
                if not name:
                    cells.error("operation", _("every row needs the operation's name"))
                    continue
                state = self._operation_of(name)
                if state is None:
                    continue
                states[name] = state
            text = values["country"]
            country = country_of(text)
            if country is None:
                cells.error(
                    "country",
                    _(
                        "unknown country %(text)s: use an ISO code (BR, BRA) or its name in English, Spanish or"
                        " French; other spellings can be added as aliases in the admin (Countries)"
                    )
                    % {"text": repr(text)}
                    if text
                    else _("every row needs a country"),
                )
            role = role_of(values)
            figures = known_figures(values)
            source_url = url(values, "source_url")
            needs_source(source_url, figures)
            if country is None:
                continue
            country, country_id, place = country
            first = state.first_row(place)
            if first is not None:
                cells.error(
                    "country",
                    _("duplicate row: %(country)s in %(name)s is already on row %(row)s")
                    % {"country": country, "name": name, "row": first},
                )
                continue
            state.add_country(place, number << 4 | sum(map(_BITS.__getitem__, figures)))
            records.append(CountryRecord(number, state, country_id, role, figures, source_url or ""))
        self._load_stored(records)
        for record in records:
            self._classify_country(record)
        if self._writing():
            self.writer.countries(records)

    def _load_stored(self, records):
        """The stored participations these rows name, and (once per operation) a stored operation's exact totals,
        start date and its countries' sums."""
        states = {record.operation.pk: record.operation for record in records if record.operation.stored}
        new = [pk for pk, state in states.items() if state.sums is None]
        for start in range(0, len(new), 500):
            chunk = new[start : start + 500]
            sums = {
                row[0]: row[1:]
                for row in Participation.objects.filter(operation_id__in=chunk)
                .order_by()
                .values("operation_id")
                .annotate(*[Sum(metric) for metric in METRIC_COLUMNS])
                .values_list("operation_id", *[f"{metric}__sum" for metric in METRIC_COLUMNS])
            }
            for row in Operation.objects.filter(pk__in=chunk).values_list("pk", "start_date", *_figure_columns()):
                state = states[row[0]]
                state.sums = [int(value or 0) for value in sums.get(row[0], (0,) * len(METRIC_COLUMNS))]
                if state.exact is None:  # not in the operations file: its stored totals
                    state.exact = _exact(_figures(row[2:]))
                    state.sort_date = row[1] or date.min
        for state in {id(record.operation): record.operation for record in records}.values():
            if state.sums is None:
                state.sums = [0] * len(METRIC_COLUMNS)
        self.stored_participations = {}
        pks = sorted(states)
        countries = sorted({record.country_id for record in records if record.operation.stored})
        for start in range(0, len(pks), 500):
            for row in Participation.objects.filter(
                operation_id__in=pks[start : start + 500], country_id__in=countries
            ).values_list("operation_id", "country_id", "pk", "role", *_figure_columns()):
                self.stored_participations[row[:2]] = row[2:]

    def _classify_country(self, record: CountryRecord):
        state = record.operation
        stored = self.stored_participations.get((state.pk, record.country_id)) if state.stored else None
        record.stored = stored
        if stored is None:
            record.action = "create"
            self.report.figures += len(record.figures)
            sums = state.sums
            for metric, figure in record.figures.items():
                sums[_INDEX[metric]] += figure.value
        else:
            current = _figures(stored[2:])
            for index, metric in enumerate(METRIC_COLUMNS):
                figure = record.figures.get(metric)
                if figure is not None:
                    state.sums[index] += figure.value - (current[metric].value or 0)
            record.changed = tuple(metric for metric, figure in record.figures.items() if current[metric] != figure)
            self.report.figures += len(record.changed)
            role_changed = record.role is not None and record.role != stored[1]
            record.action = "update" if record.changed or role_changed else "unchanged"
        if record.action != "unchanged":
            state.touched = True
        self.report.countries[record.action] += 1

    def _check_sums(self):
        """The countries' figures must not add up to more than an exact operation total (file and stored values)."""
        for state in itertools.chain(self.in_file.values(), self.stored_only.values()):
            if not state.country_rows or not state.exact:
                continue
            totals = {METRIC_COLUMNS[index]: Figure(value) for index, value in state.exact.items()}
            sums = [{metric: Figure(value) for metric, value in zip(METRIC_COLUMNS, state.sums, strict=True)}]
            for excess in services.country_sum_excesses(totals, sums):
                index = METRIC_COLUMNS.index(excess.metric.value)
                rows = sorted(entry >> 4 for entry in state.country_rows if entry & (1 << index))
                first = rows[0] if rows else min(entry >> 4 for entry in state.country_rows)
                self.report.error(
                    self.results_file,
                    first,
                    excess.metric.value,
                    _(
                        "%(name)s: %(excess)s (rows %(rows)s); correct a country's figure or make the total"
                        " approximate (“nearly …”)"
                    )
                    % {"name": state.name, "excess": excess, "rows": ", ".join(map(str, rows))},
                )


def _figure_columns():
    return [*METRIC_COLUMNS, *_QUALIFIERS]


def _figures(values) -> dict:
    """{metric: Figure} from the stored value columns followed by the qualifier columns."""
    count = len(METRIC_COLUMNS)
    return {
        metric: Figure(values[index], values[count + index] or Qualifier.EXACT)
        for index, metric in enumerate(METRIC_COLUMNS)
    }


def _exact(figures) -> dict:
    """{metric index: value} of the exact known totals."""
    return {
        index: figures[metric].value
        for index, metric in enumerate(METRIC_COLUMNS)
        if metric in figures and figures[metric].value is not None and figures[metric].qualifier == Qualifier.EXACT
    }


def import_files(
    operations_file: UploadedTable | None,
    results_file: UploadedTable | None = None,
    *,
    commit: bool,
    user=None,
    limits=LIMITED,
    progress=None,
) -> ImportReport:
    """Check both files together; with commit=True and no error, write everything in one transaction. A data
    package (a zip with a datapackage.json) given as the first file is imported as a package. limits=None: files
    of any size (the command line)."""
    from .package import import_package, is_package

    if is_package(operations_file) and results_file is None:
        return import_package(operations_file, commit=commit, user=user)
    return Importer(operations_file, results_file, user=user, limits=limits, progress=progress).run(commit=commit)
