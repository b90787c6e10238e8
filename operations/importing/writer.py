"""Writing checked batches of an import: new sources, operations, country rows and their reported figures as plain
rows with their history (services.RowInserter), each new row's preferred figures set as it is inserted; changes to
stored rows through the services (record_figures_bulk refreshes what they denormalise)."""

from __future__ import annotations

from types import SimpleNamespace

from django.db import connection
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from .. import services
from ..models import ExploitationForm, Operation, Origin, Participation, ReportedFigure, Role, Source, source_key
from .conventions import PRIMARY_PUBLISHERS, publisher_from_url, split_title

# Also services.COPY_ON_WRITE's reason: the figures an unattended import writes get their "+" history record only when
# first changed (services.write_baselines).
CHANGE_REASON = "spreadsheet import"
# SQLite's page cache while an import writes (KiB; its default is 2 MB). Each row adds entries to a dozen indexes:
# with the default cache SQLite re-reads index pages from the file for every few rows (the figures' inserts took
# 14 s instead of 3 s of CPU for 300,000 rows, measured); 64 MB holds the pages being written at any size.
SQLITE_CACHE_KIB = 65_536
# ... and while it builds the indexes it dropped (_defer_indexes).
SQLITE_INDEX_BUILD_CACHE_KIB = 16_384
# A run writing at least this many country rows is a bulk import: its tables' planner statistics are renewed.
ANALYZE_AFTER_ROWS = 10_000


class Writer:
    """The writes of one import run, inside its transaction; finish() once every batch is written."""

    def __init__(self, user):
        self.user = user
        now = timezone.now()
        history = {"user": user, "change_reason": CHANGE_REASON, "now": now}
        self.operation_rows = services.RowInserter(Operation, **history)
        self.participation_rows = services.RowInserter(Participation, **history)
        self.figure_rows = services.RowInserter(ReportedFigure, **history)
        self.source_rows = services.RowInserter(Source, **history)
        self.form_ids = dict(ExploitationForm.objects.values_list("slug", "pk"))
        self.source_ids = {}  # url -> pk
        self.source_keys = None
        self.source_counters = {}  # source_key()'s count per base, for the run
        self.operation_figures = []  # (operation id, metric, value, qualifier, source id) of new operations
        self.slugs = None
        self.source_links, self.form_links = set(), set()
        self.countries_touched = set()
        self.rows_written = 0
        figure = self.figure_rows
        figure.defaults[figure.index["origin"]] = Origin.IMPORT.value
        figure.defaults[figure.index["is_preferred"]] = True
        figure.defaults[figure.index["updated_by_id"]] = user.pk if user else None
        self._figure_positions = [
            figure.index[name] for name in ("id", "operation_id", "metric", "value", "qualifier", "source_id")
        ]
        # Per metric, its preferred value, qualifier and source columns on operations and country rows.
        self._preferred_columns = services.PREFERRED_COLUMNS
        # Per table, metric -> the positions of those columns in a row.
        self._preferred_positions = {
            inserter.table: {
                metric: tuple(map(inserter.index.__getitem__, columns))
                for metric, columns in self._preferred_columns.items()
            }
            for inserter in (self.operation_rows, self.participation_rows)
        }

    def __enter__(self):
        self.cache_size = None
        self.deferred_indexes = []
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA cache_size")
                self.cache_size = cursor.fetchone()[0]
                cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
                self.deferred_indexes = _defer_indexes(cursor, [self.participation_rows.table, self.figure_rows.table])
        return self

    def __exit__(self, exc_type, *exc_info):
        if self.cache_size is not None:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size = {int(self.cache_size)}")
        if exc_type is None and connection.vendor == "postgresql" and self.rows_written >= ANALYZE_AFTER_ROWS:
            # PostgreSQL plans from its statistics, which autovacuum renews only later: right after a bulk import
            # a page's "preferred reports of these 50 results" read all 300,000 reports (34 ms instead of 1 ms,
            # medium data, EXPLAIN ANALYZE). ANALYZE in the import's transaction counts the rows it wrote.
            tables = [inserter.table for inserter in self._inserters()]
            tables += [inserter.model.history.model._meta.db_table for inserter in self._inserters()]
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE " + ", ".join(map(connection.ops.quote_name, tables)))

    def _inserters(self):
        return (self.operation_rows, self.participation_rows, self.figure_rows, self.source_rows)

    def _insert_operation_figures(self) -> None:
        """The new operations' own figures, written last (see finish()), 10,000 rows at a time."""
        defaults = self.figure_rows.defaults
        f_id, f_operation, f_metric, f_value, f_qualifier, f_source = self._figure_positions
        pending, self.operation_figures = self.operation_figures, []
        for start in range(0, len(pending), 10_000):
            chunk, rows = pending[start : start + 10_000], []
            for pk, (operation_id, metric, value, qualifier, source_id) in zip(
                self.figure_rows.allocate(len(chunk)), chunk, strict=True
            ):
                row = defaults.copy()
                row[f_id], row[f_operation], row[f_metric] = pk, operation_id, metric
                row[f_value], row[f_qualifier], row[f_source] = value, qualifier, source_id
                rows.append(row)
            self.figure_rows.insert(rows)

    def _preferred(self, inserter, row, figures, source_id):
        """The denormalised preferred figure columns of a new row: the file's figures are its only reports."""
        positions = self._preferred_positions[inserter.table]
        for metric, figure in figures.items():
            value_at, qualifier_at, source_at = positions[metric]
            row[value_at], row[qualifier_at], row[source_at] = figure.value, figure.qualifier, source_id
        return row

    # Sources -------------------------------------------------------------------------------------------------------

    def _sources(self, wanted: dict) -> None:
        """Make sure every wanted url -> (url, title, published) is a stored source (its id in source_ids)."""
        missing = sorted(url for url in wanted if url not in self.source_ids)
        for start in range(0, len(missing), 500):
            self.source_ids.update(Source.objects.filter(url__in=missing[start : start + 500]).values_list("url", "pk"))
        new = [url for url in missing if url not in self.source_ids]
        if not new:
            return
        if self.source_keys is None:  # the stored keys, once, so each new source gets a unique one
            self.source_keys = set(Source.objects.values_list("key", flat=True))
        rows = []
        for url, pk in zip(new, self.source_rows.allocate(len(new)), strict=True):
            _url, title_text, published = wanted[url]
            publisher, title = split_title(title_text)
            publisher = publisher or publisher_from_url(url)
            rows.append(
                self.source_rows.row(
                    id=pk,
                    key=source_key(publisher, published, self.source_keys, self.source_counters),
                    url=url,
                    publisher=publisher[:200],
                    title=title,
                    published=published,
                    is_primary=any(name.lower() in publisher.lower() for name in PRIMARY_PUBLISHERS),
                )
            )
            self.source_ids[url] = pk
        self.source_rows.insert(rows)

    # Operations ----------------------------------------------------------------------------------------------------

    def operations(self, records) -> None:
        wanted = {}
        for record in records:
            if record.source and record.source[0] not in wanted:
                wanted[record.source[0]] = record.source
        self._sources(wanted)
        if self.slugs is None:
            self.slugs = set(Operation.objects.values_list("slug", flat=True))
        created = [record for record in records if record.action == "create"]
        rows = []
        for record, pk in zip(created, self.operation_rows.allocate(len(created)), strict=True):
            record.state.pk = pk
            source_id = self.source_ids[record.source[0]] if record.source else None
            slug = _unique_slug(record.name, self.slugs)
            row = self.operation_rows.row(id=pk, name=record.name, slug=slug, **record.fields)
            rows.append(self._preferred(self.operation_rows, row, record.figures, source_id))
            self.operation_figures += [
                (pk, metric, figure.value, figure.qualifier, source_id) for metric, figure in record.figures.items()
            ]
            self.form_links.update((pk, self.form_ids[slug]) for slug in record.forms)
        self.operation_rows.insert(rows)
        reports = []
        for record in records:
            source_id = self.source_ids[record.source[0]] if record.source else None
            if record.source and record.action != "unchanged":
                self.source_links.add((record.state.pk, source_id))
            if record.action != "update":
                continue
            operation = record.stored
            for key, value in record.fields.items():
                setattr(operation, key, value)
            operation.version += 1
            operation._history_user, operation._change_reason = self.user, CHANGE_REASON
            operation.save()
            if record.forms:
                operation.exploitation_forms.set([self.form_ids[slug] for slug in record.forms])
            reports += [
                services.FigureReport(operation, None, metric, figure, SimpleNamespace(pk=source_id))
                for metric, figure in record.figures.items()
                if operation.figure(metric) != figure
            ]
        self._record(reports)

    def _record(self, reports):
        if reports:
            services.record_figures_bulk(reports, origin=Origin.IMPORT, user=self.user, change_reason=CHANGE_REASON)

    # Country rows --------------------------------------------------------------------------------------------------

    def countries(self, records) -> None:
        self._sources({record.source_url: (record.source_url, "", None) for record in records if record.source_url})
        created = [record for record in records if record.action == "create"]
        self.rows_written += len(records)
        inserter = self.participation_rows
        defaults, participant = inserter.defaults, Role.PARTICIPANT.value
        at_id, at_operation, at_country, at_role, at_date, at_name = map(
            inserter.index.__getitem__,
            ("id", "operation_id", "country_id", "role", "operation_sort_date", "operation_name"),
        )
        preferred = self._preferred_positions[inserter.table]
        source_ids, rows = self.source_ids, []
        pks = inserter.allocate(len(created))
        for record, pk in zip(created, pks, strict=True):
            state = record.operation
            source_id = source_ids.get(record.source_url)
            row = defaults.copy()
            row[at_id], row[at_operation], row[at_country] = pk, state.pk, record.country_id
            row[at_role], row[at_date], row[at_name] = record.role or participant, state.sort_date, state.name
            for metric, figure in record.figures.items():
                value_at, qualifier_at, source_at = preferred[metric]
                row[value_at], row[qualifier_at], row[source_at] = figure.value, figure.qualifier, source_id
            rows.append(row)
        self.countries_touched.update(record.country_id for record in created)
        inserter.insert(rows)
        if self.user is not None:  # an unattended import keeps them on the rows (services.implicit)
            self._country_figures(pks)
        reports, roles = [], {}
        for record in records:
            state = record.operation
            if record.source_url and record.action != "unchanged":
                self.source_links.add((state.pk, self.source_ids[record.source_url]))
            if record.action != "update":
                continue
            pk, role = record.stored[0], record.stored[1]
            if record.role is not None and record.role != role:
                roles[pk] = record.role
            source = SimpleNamespace(pk=self.source_ids.get(record.source_url))
            reports += [
                services.FigureReport(SimpleNamespace(pk=state.pk), SimpleNamespace(pk=pk), metric, figure, source)
                for metric, figure in record.figures.items()
                if metric in record.changed
            ]
        for participation in Participation.objects.filter(pk__in=list(roles)):
            participation.role = roles[participation.pk]
            participation._history_user, participation._change_reason = self.user, CHANGE_REASON
            participation.save(update_fields=["role"])
        self._record(reports)

    def _country_figures(self, pks) -> None:
        """The figures of these new country rows: the file's figures are their only reports, each preferred, so the
        database copies them from the rows' preferred columns (services.RowInserter.insert_select), in one statement
        a batch. Each row's figures are written together, in the metrics' order, as they were when Python built them:
        written metric by metric, PostgreSQL's figure indexes grew from 48 to 57.5 MB at medium and a results page
        read each row's figures from four places. `pks` are the country rows' ids, as allocate() reserved them; a
        contiguous run is read as a range."""
        if not pks:
            return
        quote = connection.ops.quote_name
        if pks[-1] - pks[0] == len(pks) - 1:
            which, which_params = "BETWEEN %s AND %s", [pks[0], pks[-1]]
        else:  # PostgreSQL's sequence may have been advanced by another session meanwhile
            which, which_params = f"IN ({', '.join(['%s'] * len(pks))})", pks
        source, params = services.figures_of_rows(f"{quote('id')} {which}", which_params)
        self.figure_rows.insert_select(
            f"FROM {source} ORDER BY figure_row, position",
            params,
            columns=services.FIGURE_OF_ROW_COLUMNS,
        )

    def finish(self, states) -> None:
        """The new operations' own figures, the links, versions and kept totals of the whole run."""
        # A figure's unique key starts (operation, country row, ...), and PostgreSQL sorts an operation's own figures
        # (no country row: NULL, last) after its country rows' figures. Written before the country rows, they made
        # each country figure an insert inside the index, whose pages then split half full: figure_unique_report
        # took 42.2 MB instead of 23.5 at medium (database 167.9 -> 145.5 MB, measured). Kept until here as tuples
        # (~100 bytes a figure, ~4 an operation).
        self._insert_operation_figures()
        services.link_many(Operation.sources.through, "operation_id", "source_id", self.source_links)
        services.link_many(Operation.exploitation_forms.through, "operation_id", "exploitationform_id", self.form_links)
        # Stored operations changed only through their country rows: bump their version too (optimistic concurrency).
        ids = sorted(state.pk for state in states if state.stored and state.touched and not state.saved)
        for start in range(0, len(ids), 500):
            Operation.objects.filter(pk__in=ids[start : start + 500]).update(version=F("version") + 1)
        if self.deferred_indexes:
            with connection.cursor() as cursor:
                # SQLite sorts an index's keys in as much memory as its page cache: a million-row import peaked at
                # 234 MB with the 64 MB cache, 186 MB with 16 MB, in the same time; past that the sort spills to a file.
                cursor.execute(f"PRAGMA cache_size = -{SQLITE_INDEX_BUILD_CACHE_KIB}")
                for sql in self.deferred_indexes:
                    cursor.execute(sql)
        services.refresh_country_totals(self.countries_touched)  # regrouped once, as changes() commits


def _unique_slug(name, taken):
    base = slugify(name.removeprefix("Operation "))[:190] or "operation"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


def _defer_indexes(cursor, tables) -> list[str]:
    """On SQLite, drop the plain (not unique) indexes of these tables when every one of them is empty, and return the
    statements that make them again: a first import into an empty database then fills its rows alone and builds
    each index once, from sorted keys, at finish(). The harness's medium import (100,000 country rows, 300,000
    figures) took about 1 s less CPU (docs/performance.md "Import"). The unique indexes stay, so the rules they hold
    are checked row by row as before. The drop is part of the import's transaction: readers keep the indexes they
    see until it commits, and a rollback brings them back."""
    if not connection.in_atomic_block:  # outside a transaction each DROP would be committed at once
        return []
    quote = connection.ops.quote_name
    for table in tables:
        cursor.execute(f"SELECT 1 FROM {quote(table)} LIMIT 1")
        if cursor.fetchone():
            return []
    cursor.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        f" AND sql NOT LIKE 'CREATE UNIQUE %%' AND tbl_name IN ({', '.join(['%s'] * len(tables))})",
        tables,
    )
    indexes = cursor.fetchall()
    for name, _sql in indexes:
        cursor.execute(f"DROP INDEX {quote(name)}")
    return [sql for _name, sql in indexes]
