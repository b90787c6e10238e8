"""Implicit reports: the figures of a country row an unattended import wrote are kept on the row alone.

Such a row's figures have one source each, the file's, and nothing else to say (no quote, no phrase, no other value):
its preferred columns (value, qualifier, source) say all a figure row would. So an unattended import (no user) writes
no figure rows for its new country rows, and a country row with `imported_at` set has one implicit report per known
metric: that value, qualifier and source, preferred, of origin "spreadsheet import", dated `imported_at`. At medium
(100,373 country rows) the figure rows and their indexes were 52 of the 85 MB (docs/performance.md "Disk").

- Readers see them through `implicit_reports()` (footnotes, the API, the data package): the same reports a stored
  row would give, without writing on a GET.
- A write that adds or compares figure rows of an operation first makes its implicit reports real rows
  (`materialize_reports()`, the import's own INSERT ... SELECT): the services that record figures, a figure's save()
  (signals.py), the operation's admin page (its figure inline lists rows), the figure form, drafting, the data
  package import. The country row then gets its first history record (as at its first change,
  services.COPY_ON_WRITE) and loses `imported_at`: its figures are rows as any other's. A write to the country row
  itself (its save, a move, its deletion) carries its implicit reports with it, and the refreshes of the preferred
  columns leave rows with `imported_at` alone, so no write can wipe them.
"""

from django.db import DEFAULT_DB_ALIAS, connections, transaction

from ..models import METRICS, Origin, Participation, ReportedFigure, Source

# Per metric, its preferred value, qualifier and source columns on a country row.
PREFERRED_COLUMNS = {
    metric.value: (metric.value, f"{metric.value}_qualifier", f"{metric.value}_source_id") for metric in METRICS
}

# A figure row's fields (attnames) as figures_of_rows() names them.
FIGURE_OF_ROW_COLUMNS = {
    "operation_id": "figure_operation",
    "participation_id": "figure_row",
    "metric": "figure_metric",
    "value": "figure_value",
    "qualifier": "figure_qualifier",
    "source_id": "figure_source",
}


def figures_of_rows(where: str, params: list, *, extra: str = "") -> tuple[str, list]:
    """A query of the figures the preferred columns of the country rows matching `where` (SQL over the country-row
    table, with `params`) give: FIGURE_OF_ROW_COLUMNS, `position` and `extra`, one row per known metric, to be ordered
    by figure_row, position (each row's figures together, in the metrics' order: written so, a B-tree of figures fills
    its pages)."""
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    table = quote(Participation._meta.db_table)
    parts, all_params = [], []
    for position, (metric, (value, qualifier, source)) in enumerate(PREFERRED_COLUMNS.items()):
        parts.append(
            f"SELECT {quote('operation_id')} AS figure_operation, {quote('id')} AS figure_row, {position} AS position,"
            f" %s AS figure_metric, {quote(value)} AS figure_value, {quote(qualifier)} AS figure_qualifier,"
            f" {quote(source)} AS figure_source{extra} FROM {table}"
            f" WHERE {where} AND {quote(value)} IS NOT NULL"
        )
        all_params += [metric, *params]
    return f"({' UNION ALL '.join(parts)}) AS figures", all_params


def materialize_reports(operation_ids) -> None:
    """Make the implicit reports of these operations' country rows stored figure rows, before a write touches them.
    One query per 500 operations when there are none; else, in one transaction, one INSERT ... SELECT of their figures
    (no history record: like the rows an import writes, each is its own first version until first changed,
    services.COPY_ON_WRITE, dated `imported_at`), the country rows' first history records, and `imported_at` cleared.
    Nothing the pages show changes, so the data keeps its version."""
    from .bulk import write_baselines

    operation_ids = sorted({pk for pk in operation_ids if pk is not None})
    for start in range(0, len(operation_ids), 500):
        implicit = Participation.objects.using(DEFAULT_DB_ALIAS).filter(
            operation_id__in=operation_ids[start : start + 500], imported_at__isnull=False
        )
        # Usually there are none: then no transaction, so an admin page that asks takes no write lock (SQLite begins
        # every transaction IMMEDIATE) and does not wait for a long import. Read on the primary, not a replica behind.
        if not implicit.exists():
            continue
        with transaction.atomic(using=DEFAULT_DB_ALIAS):
            # Locked: a writer that is making them rows at the same moment (and may delete one of them before it
            # commits) is waited for, and PostgreSQL then reads imported_at again, cleared (SQLite has one writer).
            ids = sorted(implicit.order_by().select_for_update().values_list("pk", flat=True))
            for first in range(0, len(ids), 500):
                chunk = ids[first : first + 500]
                _insert_from_rows(*_in("id", chunk))
                write_baselines(Participation, ids=chunk)
                Participation.objects.filter(pk__in=chunk).update(imported_at=None)


def restore_implicit_reports(participation_ids, *, now) -> list[int]:
    """After restoring a deleted operation: its country rows that had implicit reports come back without
    `imported_at` (the history does not keep it) and without figure rows, their preferred columns as they were. Their
    reports are made rows, dated `now`; returns their ids (for their history records)."""
    ids = []
    participation_ids = sorted(participation_ids)
    for start in range(0, len(participation_ids), 500):
        where, params = _in("id", participation_ids[start : start + 500])
        ids += _insert_from_rows(where, params, written_at=now)
    return ids


def _column(name) -> str:
    quote = connections[DEFAULT_DB_ALIAS].ops.quote_name
    return f"{quote(Participation._meta.db_table)}.{quote(name)}"


def _in(column, values) -> tuple[str, list]:
    return f"{_column(column)} IN ({', '.join(['%s'] * len(values))})", list(values)


def _insert_from_rows(where, params, *, written_at=None) -> list[int]:
    """Insert the reports the preferred columns of the country rows matching `where` give, for those rows that have
    no figure row (there is none where `imported_at` is set), dated by their `imported_at`, or `written_at` (then
    returning their ids)."""
    connection = connections[DEFAULT_DB_ALIAS]
    quote = connection.ops.quote_name
    figures = quote(ReportedFigure._meta.db_table)
    columns = dict(FIGURE_OF_ROW_COLUMNS)
    constants = {
        "stated_as": "",
        "quote": "",
        "note": "",
        "is_preferred": True,
        "origin": Origin.IMPORT.value,
        "reference_key": "",
        "updated_by_id": None,
    }
    extra = ""
    if written_at is None:
        columns["updated_at"], extra = "figure_written", f", {quote('imported_at')} AS figure_written"
    else:
        constants["updated_at"] = ReportedFigure._meta.get_field("updated_at").get_db_prep_save(written_at, connection)
    names = [quote(ReportedFigure._meta.get_field(name).column) for name in [*columns, *constants]]
    select = [*columns.values(), *(["%s"] * len(constants))]
    without_rows = f"NOT EXISTS (SELECT 1 FROM {figures} f WHERE f.{quote('participation_id')} = {_column('id')})"
    source, source_params = figures_of_rows(f"{where} AND {without_rows}", params, extra=extra)
    sql = (
        f"INSERT INTO {figures} ({', '.join(names)}) SELECT {', '.join(select)}"
        f" FROM {source} ORDER BY figure_row, position"
    )
    if written_at is not None:
        sql += f" RETURNING {quote(ReportedFigure._meta.pk.column)}"
    with connection.cursor() as cursor:
        cursor.execute(sql, [*constants.values(), *source_params])
        return [row[0] for row in cursor.fetchall()] if written_at is not None else []


def with_implicit_reports(participations):
    """The country rows of `participations` (a queryset) whose figures are implicit."""
    return participations.filter(imported_at__isnull=False)


def implicit_reports(participations, stored=(), *, sources=True) -> list:
    """The implicit reports of these loaded country rows, as unsaved ReportedFigure instances in the rows' and the
    metrics' order; their sources loaded in one query if `sources` (none when there are no implicit reports).
    `stored`: the ids of the country rows whose figure rows the caller read after loading them: a row whose reports
    were made rows in between (a write committed between the two reads) gives none, not the same reports twice."""
    reports = []
    for row in participations:
        if row.imported_at is None or row.pk in stored:
            continue
        for metric, (value, qualifier, source_id) in PREFERRED_COLUMNS.items():
            if getattr(row, value) is None:
                continue
            reports.append(
                ReportedFigure(
                    operation_id=row.operation_id,
                    participation_id=row.pk,
                    metric=metric,
                    value=getattr(row, value),
                    qualifier=getattr(row, qualifier),
                    source_id=getattr(row, source_id),
                    is_preferred=True,
                    origin=Origin.IMPORT,
                    updated_at=row.imported_at,
                )
            )
    if sources and reports:
        by_id = Source.objects.in_bulk({report.source_id for report in reports})
        for report in reports:
            report.source = by_id[report.source_id]
    return reports
