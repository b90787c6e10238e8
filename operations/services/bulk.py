"""Bulk writes for the importer and the loader: many-to-many links and inserts with their history rows."""

from django.utils import timezone

from ..models import (
    Operation,
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


def record_history(
    model, ids=None, *, from_pk=None, history_type="~", user=None, change_reason=None, batch_size=500
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
        "history_date": date_field.get_db_prep_save(timezone.now(), connection),
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
