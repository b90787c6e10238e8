"""Bulk writes for the importer and the loader: many-to-many links and inserts with their history rows."""

import datetime
import operator
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from ..models import (
    Operation,
    Origin,
    Participation,
    ReportedFigure,
)
from .refresh import data_changed


def link_many(through, left, right, pairs) -> None:
    """Add many-to-many links (e.g. operation-source) that are not there yet: one query per 500 left ids to skip
    the existing ones, then one executemany. Portable, unlike INSERT ... ON CONFLICT / OR IGNORE."""
    data_changed()
    from django.db import DEFAULT_DB_ALIAS, connections

    pairs = set(pairs)
    left_ids = sorted({pair[0] for pair in pairs})
    for start in range(0, len(left_ids), 500):
        existing = through.objects.filter(**{f"{left}__in": left_ids[start : start + 500]}).values_list(left, right)
        pairs -= set(existing)
    if not pairs:
        return
    connection = connections[DEFAULT_DB_ALIAS]
    quote = connection.ops.quote_name
    columns = [through._meta.get_field(name).column for name in (left, right)]
    sql = f"INSERT INTO {quote(through._meta.db_table)} ({', '.join(map(quote, columns))}) VALUES (%s, %s)"
    with connection.cursor() as cursor:
        cursor.executemany(sql, sorted(pairs))


# Natural keys (unique in the database) by which insert_with_history() finds the ids of the rows it inserted.
NATURAL_KEYS = {
    Operation: ("name",),
    Participation: ("operation_id", "country_id"),
    ReportedFigure: ("operation_id", "participation_id", "metric", "source_id", "value", "qualifier"),
}


def insert_with_history(model, objs, *, user=None, change_reason=None, key_fields=None, batch_size=1000) -> None:
    """Insert many new rows and their "+" history records (the importer), then set each object's pk. `objs` are
    model instances or plain objects with every concrete field's attname (types.SimpleNamespace).

    simple_history's bulk_create_with_history goes through QuerySet.bulk_create, whose per-value compilation took
    27 of the 38 s of a 2,000-operation import (measured). This sends one executemany of a plain parameterised
    INSERT per table, with values prepared by each field (get_db_prep_save), so it is the same SQL on SQLite and
    PostgreSQL; the ids come back through the natural key, not RETURNING. Rows must be new and their keys unique."""
    data_changed()
    if not objs:
        return
    from django.db import DEFAULT_DB_ALIAS, connections

    connection = connections[DEFAULT_DB_ALIAS]  # the wrapper itself: the proxy costs a lookup per attribute
    key_fields = key_fields or NATURAL_KEYS[model]
    quote = connection.ops.quote_name
    now = timezone.now()

    def insert(table_model, fields, rows):
        sql = (
            f"INSERT INTO {quote(table_model._meta.db_table)} ({', '.join(quote(f.column) for f in fields)})"
            f" VALUES ({', '.join(['%s'] * len(fields))})"
        )
        with connection.cursor() as cursor:
            for start in range(0, len(rows), batch_size):
                cursor.executemany(sql, rows[start : start + batch_size])

    def value_getter(field, special=None):
        """How to read one field's database value from an object; only dates need the backend's adaptation."""
        if special is not None and field.attname in special:
            value = special[field.attname]
            prepared = field.get_db_prep_save(value, connection) if value is not None else None
            return lambda obj: prepared
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            prepared = field.get_db_prep_save(now, connection)  # one timestamp for the whole batch

            def stamp(obj):
                setattr(obj, field.attname, now)
                return prepared

            return stamp
        if field.get_internal_type() in {"DateField", "DateTimeField", "DecimalField", "JSONField", "UUIDField"}:
            return lambda obj: field.get_db_prep_save(getattr(obj, field.attname), connection)
        attname = field.attname
        return lambda obj: getattr(obj, attname)

    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    getters = [value_getter(f) for f in fields]
    insert(model, fields, [[get(obj) for get in getters] for obj in objs])
    first = key_fields[0]
    wanted = sorted({getattr(obj, first) for obj in objs}, key=str)
    ids = {}
    for start in range(0, len(wanted), 500):
        for row in model._base_manager.filter(**{f"{first}__in": wanted[start : start + 500]}).values_list(
            *key_fields, "pk"
        ):
            ids[row[:-1]] = row[-1]
    for obj in objs:
        setattr(obj, model._meta.pk.attname, ids[tuple(getattr(obj, name) for name in key_fields)])
        if hasattr(obj, "_state"):
            obj._state.adding, obj._state.db = False, "default"
    history_model = model.history.model
    special = {
        "history_date": now,
        "history_type": "+",
        "history_change_reason": change_reason,
        "history_user_id": user.pk if user else None,
    }
    history_fields = [f for f in history_model._meta.concrete_fields if f.attname != "history_id"]
    getters = [value_getter(f, special) for f in history_fields]
    insert(history_model, history_fields, [[get(obj) for get in getters] for obj in objs])


@dataclass(frozen=True)
class FirstChange:
    """How a model's rows may be written without a "+" history record (COPY_ON_WRITE)."""

    reason: str  # the change reason of the bulk write that skips them, and of the first version written later
    written_at: str  # the field saying when the row was written: its first version's date
    may_lack_history: Callable  # row -> bool: False for a row that certainly has a record (no query needed)


# History written on first change ("copy on write"): the rows an unattended import (no user) writes through RowInserter
# get no "+" history record. Each is its own first version until it is first changed or deleted: write_baselines()
# records it then, as it is stored, dated by its `written_at`, with the import's reason, just before the change
# (signals.py for save() and delete(), the services before their QuerySet.update()s). At medium (100,373 country rows,
# 308,306 figures) those copies were 68 of the 156 MB (docs/performance.md "Disk"). A write by a person keeps its "+"
# record: the feed and the dashboards' "last correction" read those.
COPY_ON_WRITE = {
    ReportedFigure: FirstChange("spreadsheet import", "updated_at", lambda row: row.origin == Origin.IMPORT),
    Participation: FirstChange("spreadsheet import", "imported_at", lambda row: row.imported_at is not None),
}


class RowInserter:
    """New rows of one model, as lists of database values in its concrete fields' order, inserted with their "+"
    history rows: one executemany per table, ids allocated beforehand (allocate()), so nothing is read back; or rows
    the database makes from others (insert_select(), ids from the table's sequence).
    No history rows for a COPY_ON_WRITE model written without a user and with its reason.

    The streaming importer's writer (importing/writer.py): no model instance, no per-field getter, no natural-key
    query per batch. Dates and times are adapted here (only those need the backend's conversion)."""

    def __init__(self, model, *, user=None, change_reason=None, now=None):
        from django.db import DEFAULT_DB_ALIAS, connections

        data_changed()
        self.connection = connection = connections[DEFAULT_DB_ALIAS]
        self.model = model
        now = now or timezone.now()
        fields = model._meta.concrete_fields
        self.index = {field.attname: position for position, field in enumerate(fields)}
        self.defaults = []
        self.dates = []  # (position, field) of the date and time columns a caller may set
        for position, field in enumerate(fields):
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                self.defaults.append(_constant(field, now, connection))
                continue
            if field.get_internal_type() in ("DateField", "DateTimeField"):
                self.dates.append((position, field))
            default = field.get_default()
            self.defaults.append(None if default is None else _constant(field, default, connection))
        self.table = model._meta.db_table
        self.pk_column = model._meta.pk.column
        self.sql = _insert_sql(connection, self.table, [f.column for f in fields])
        first_change = COPY_ON_WRITE.get(model)
        self.user, self.change_reason, self.now = user, change_reason, now
        self.with_history = user is not None or first_change is None or first_change.reason != change_reason
        if not self.with_history:  # the row's first version will be dated by this
            written_at = model._meta.get_field(first_change.written_at)
            self.defaults[self.index[written_at.attname]] = _constant(written_at, now, connection)
        history = model.history.model
        special = {
            "history_date": _constant(history._meta.get_field("history_date"), now, connection),
            "history_change_reason": change_reason,
            "history_type": "+",
            "history_user_id": user.pk if user else None,
        }
        # A history row is the tracked columns of its row (one C-level itemgetter) followed by these constants.
        tracked = [f for f in history._meta.concrete_fields if f.attname != "history_id" and f.attname not in special]
        self.tracked = operator.itemgetter(*(self.index[f.attname] for f in tracked))
        self.history_constants = tuple(special.values())
        columns = [f.column for f in tracked] + [history._meta.get_field(name).column for name in special]
        self.history_sql = _insert_sql(connection, history._meta.db_table, columns)

    def row(self, **values) -> list:
        """A new row: the fields' defaults with these attnames set."""
        row = self.defaults.copy()
        index = self.index
        for name, value in values.items():
            row[index[name]] = value
        return row

    def allocate(self, count) -> list[int]:
        """`count` new primary keys, reserved in this transaction: the sequence moves past them (SQLite's
        AUTOINCREMENT never reuses an id, so a deleted row's history keeps its own)."""
        if not count:
            return []
        with self.connection.cursor() as cursor:
            if self.connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [self.table, self.pk_column, count],
                )
                return [row[0] for row in cursor.fetchall()]
            if self.connection.vendor != "sqlite":
                raise NotImplementedError(f"RowInserter.allocate on {self.connection.vendor}")
            quote = self.connection.ops.quote_name
            cursor.execute(f"SELECT COALESCE(MAX({quote(self.pk_column)}), 0) FROM {quote(self.table)}")
            highest = cursor.fetchone()[0]
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [self.table])
            kept = cursor.fetchone()
            first = max(highest, kept[0] if kept else 0) + 1
            last = first + count - 1
            if kept:
                cursor.execute("UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [last, self.table])
            else:
                cursor.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (%s, %s)", [self.table, last])
            return list(range(first, first + count))

    def insert(self, rows) -> None:
        """Insert these rows (their ids set) and a "+" history row for each (none for copy on write)."""
        if not rows:
            return
        connection = self.connection
        for position, field in self.dates:
            adapted = {}  # rows share dates (a country row has its operation's): adapted once each, not per row
            for row in rows:
                value = row[position]
                if value is not None and not isinstance(value, str):
                    text = adapted.get(value)
                    if text is None:
                        text = adapted[value] = _constant(field, value, connection)
                    row[position] = text
        writes = [(self.sql, rows)]
        if self.with_history:
            tracked, constants = self.tracked, self.history_constants
            writes.append((self.history_sql, [tracked(row) + constants for row in rows]))
        with connection.cursor() as cursor:
            for sql, values in writes:
                if connection.vendor == "postgresql":
                    _copy(cursor, sql, values)
                else:
                    cursor.executemany(sql, values)

    def insert_select(self, source_sql, params, *, columns: dict) -> None:
        """New rows the database makes from a query, each with a "+" history record (none for copy on write): the
        INSERT ... SELECT of `columns` (attname -> an SQL expression over `source_sql`, "FROM ... WHERE ...", with
        `params`), every other column its default, ids from the table's own sequence. For rows whose values are
        stored already: a new country row's figures are its preferred columns. 300,000 figures took 0.6 s of CPU
        this way against 1.7 s as an executemany of their rows (SQLite, measured): one statement, nothing bound per
        row."""
        connection, quote = self.connection, self.connection.ops.quote_name
        names, select, select_params = [], [], []
        for field in self.model._meta.concrete_fields:
            if field.primary_key:
                continue
            names.append(quote(field.column))
            if field.attname in columns:
                select.append(columns[field.attname])
            else:
                select.append("%s")
                select_params.append(self.defaults[self.index[field.attname]])
        sql = f"INSERT INTO {quote(self.table)} ({', '.join(names)}) SELECT {', '.join(select)} {source_sql}"
        if self.with_history:
            sql += f" RETURNING {quote(self.pk_column)}"
        with connection.cursor() as cursor:
            cursor.execute(sql, [*select_params, *params])
            ids = [row[0] for row in cursor.fetchall()] if self.with_history else None
        if ids:
            record_history(
                self.model, ids, history_type="+", user=self.user, change_reason=self.change_reason, now=self.now
            )


def _constant(field, value, connection):
    """A date or time as the text the database reads (Django's own adaptation for SQLite's naive UTC), prepared
    once: COPY would otherwise format a datetime object per row."""
    value = field.get_db_prep_save(value, connection)
    return value.isoformat() if isinstance(value, datetime.date) else value


def _insert_sql(connection, table, columns) -> str:
    quote = connection.ops.quote_name
    return f"INSERT INTO {quote(table)} ({', '.join(map(quote, columns))}) VALUES ({', '.join(['%s'] * len(columns))})"


def _copy(cursor, insert_sql, rows) -> None:
    """The rows of an INSERT through PostgreSQL's COPY (psycopg2 sends an executemany as one statement per row: 8
    minutes for a 100,000-row import, measured). CSV with every value quoted but NULL, so that an empty text stays
    an empty text; booleans, dates and times are written as their text, which PostgreSQL reads back."""
    import csv
    import io

    table_and_columns = insert_sql.removeprefix("INSERT INTO ").split(" VALUES ")[0]
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_NOTNULL, lineterminator="\n")
    for start in range(0, len(rows), 10_000):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(rows[start : start + 10_000])
        buffer.seek(0)
        cursor.cursor.copy_expert(f"COPY {table_and_columns} FROM STDIN WITH (FORMAT csv)", buffer)


def record_history(
    model, ids=None, *, from_pk=None, history_type="~", user=None, change_reason=None, now=None, batch_size=500
) -> None:
    """History records of rows as they stand now, for writes that went round save() (QuerySet.update, multi-row
    INSERTs): the API's `updated_since` and the feed read history records, so a write without one is invisible to a
    mirror. The rows are `ids`, or every row from primary key `from_pk` on; one INSERT ... SELECT per `batch_size`
    ids or one in all, the same SQL on SQLite and PostgreSQL."""
    from django.db import DEFAULT_DB_ALIAS, connections

    connection = connections[DEFAULT_DB_ALIAS]
    quote = connection.ops.quote_name
    history_model = model.history.model
    tracked = {field.column for field in model._meta.concrete_fields}
    copied = [f.column for f in history_model._meta.concrete_fields if f.column in tracked]
    date_field = history_model._meta.get_field("history_date")
    stamp = {
        "history_date": date_field.get_db_prep_save(now or timezone.now(), connection),
        "history_type": history_type,
        "history_change_reason": change_reason,
        "history_user_id": user.pk if user else None,
    }
    sql = (
        f"INSERT INTO {quote(history_model._meta.db_table)} ({', '.join(map(quote, [*copied, *stamp]))})"
        f" SELECT {', '.join(quote(column) for column in copied)}, {', '.join(['%s'] * len(stamp))}"
        f" FROM {quote(model._meta.db_table)}"
    )
    pk = quote(model._meta.pk.column)
    with connection.cursor() as cursor:
        if ids is None:
            cursor.execute(f"{sql} WHERE {pk} >= %s", [*stamp.values(), from_pk])
            return
        ids = sorted(set(ids))
        for start in range(0, len(ids), batch_size):
            chunk = ids[start : start + batch_size]
            cursor.execute(f"{sql} WHERE {pk} IN ({', '.join(['%s'] * len(chunk))})", [*stamp.values(), *chunk])


def write_baselines(model, *, ids=None, queryset=None) -> None:
    """The first version of each of these rows of a COPY_ON_WRITE model that has no history record yet: a "+" record
    of the row as it is stored, dated when it was written (its `written_at`), with the bulk write's reason (and, for
    a figure, its updated_by). Call it before any change or deletion of such rows; one INSERT ... SELECT per 500
    `ids`, or one for the rows of `queryset`; rows that have a record are left alone (NOT EXISTS on the history's
    indexed id)."""
    first_change = COPY_ON_WRITE.get(model)
    if first_change is None:
        return
    from django.db import DEFAULT_DB_ALIAS, connections

    connection = connections[DEFAULT_DB_ALIAS]
    quote = connection.ops.quote_name
    history_model = model.history.model
    tracked = {field.column for field in model._meta.concrete_fields}
    copied = [f.column for f in history_model._meta.concrete_fields if f.column in tracked]
    table, history_table = quote(model._meta.db_table), quote(history_model._meta.db_table)
    pk = quote(model._meta.pk.column)
    written_at = quote(model._meta.get_field(first_change.written_at).column)
    user = "r." + quote("updated_by_id") if "updated_by_id" in tracked else "NULL"
    stamp = ("history_date", "history_type", "history_change_reason", "history_user_id")
    sql = (
        f"INSERT INTO {history_table} ({', '.join(map(quote, [*copied, *stamp]))})"
        f" SELECT {', '.join('r.' + quote(column) for column in copied)}, r.{written_at}, '+', %s, {user}"
        f" FROM {table} r WHERE r.{written_at} IS NOT NULL"
        f" AND NOT EXISTS (SELECT 1 FROM {history_table} h WHERE h.{pk} = r.{pk})"
    )
    params = [first_change.reason]
    with connection.cursor() as cursor:
        if queryset is not None:
            subquery, subparams = queryset.order_by().values("pk").query.sql_with_params()
            cursor.execute(f"{sql} AND r.{pk} IN ({subquery})", [*params, *subparams])
            return
        ids = sorted(set(ids))
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            cursor.execute(f"{sql} AND r.{pk} IN ({', '.join(['%s'] * len(chunk))})", [*params, *chunk])
