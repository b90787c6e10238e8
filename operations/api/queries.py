"""What the API reads beyond the pages' selectors: rows with their preferred reports, changes since a moment (from
simple_history's records), deletions, and an operation with every report."""

from django.db.models import Exists, F, OuterRef, Prefetch, Q, Value
from django.db.models.fields import CharField

from .. import services
from ..models import METRICS, Country, CountryTotal, Operation, Participation, ReportedFigure, Source
from ..services.implicit import PREFERRED_COLUMNS, implicit_reports

# Only the columns a response shows: building model instances was most of a 1,000-row page's time, and a full
# Operation row (summary, notes, every denormalised figure) per result was the largest part of it.
_REPORT_FIELDS = ("operation_id", "participation_id", "metric", "stated_as", "quote", "note", "source")
_SOURCE_FIELDS = tuple(
    f"source__{name}" for name in ("key", "publisher", "title", "url", "published", "language", "is_primary")
)


# A results page as plain values: a 1,000-row page of model instances (each result with its operation, its country,
# its preferred reports and their sources: ~9,000 instances) spent most of its time building them (measured, 974
# rows/s under cProfile); dicts from values() are what the response is written from anyway.
RESULT_VALUES = (
    "pk",
    "role",
    "imported_at",
    *(name for metric in METRICS for name in (metric.value, f"{metric.value}_qualifier", f"{metric.value}_source_id")),
    *(f"operation__{name}" for name in ("slug", "name", "year", "start_date")),
    *(f"country__{name}" for name in ("iso2", "iso3", "name")),
)
REPORT_VALUES = ("participation_id", "metric", "stated_as", "quote", "note", "source_id", *_SOURCE_FIELDS)


def with_preferred_reports(rows: list[dict]) -> list[dict]:
    """Result rows (dicts of RESULT_VALUES) each with `reports`, {metric: its preferred report's REPORT_VALUES with
    its source's}: one query a page, through the (participation, metric) unique index of preferred reports."""
    reports = {}
    preferred = ReportedFigure.objects.filter(participation_id__in=[row["pk"] for row in rows], is_preferred=True)
    for report in preferred.order_by().values(*REPORT_VALUES):
        reports.setdefault(report["participation_id"], {})[report["metric"]] = report
    # The implicit reports of a row an unattended import wrote (services.implicit) are its columns: built from the
    # row, with their sources' fields read once; not for a row whose reports were made rows since it was read.
    implicit = [row for row in rows if row["imported_at"] is not None and row["pk"] not in reports]
    source_ids = {row[f"{metric}_source_id"] for row in implicit for metric in PREFERRED_COLUMNS} - {None}
    if source_ids:
        fields = [name.removeprefix("source__") for name in _SOURCE_FIELDS]
        sources = {source["pk"]: source for source in Source.objects.filter(pk__in=source_ids).values("pk", *fields)}
        for row in implicit:
            for metric, (value, _qualifier, source_id) in PREFERRED_COLUMNS.items():
                if row[value] is None:
                    continue
                source = sources[row[source_id]]
                reports.setdefault(row["pk"], {})[metric] = {
                    "participation_id": row["pk"],
                    "metric": metric,
                    "stated_as": "",
                    "quote": "",
                    "note": "",
                    "source_id": row[source_id],
                    **{f"source__{name}": source[name] for name in fields},
                }
    for row in rows:
        row["reports"] = reports.get(row["pk"], {})
    return rows


def _preferred_reports():
    """The operation-wide preferred reports with their sources, prefetched per page into `preferred_reports`."""
    reports = ReportedFigure.objects.filter(is_preferred=True, participation__isnull=True)
    reports = reports.select_related("source").only(*_REPORT_FIELDS, *_SOURCE_FIELDS).order_by()
    return Prefetch("reported_figures", queryset=reports, to_attr="preferred_reports")


def operation_rows(queryset):
    return queryset.prefetch_related(_preferred_reports(), "exploitation_forms")


def operation_with_reports(slug):
    """The operation with this slug and every report of it (preferred and conflicting, operation-wide and per
    country, implicit ones too), its countries, sources and forms of exploitation, in five queries (six with
    implicit reports); None if there is none."""
    every_report = ReportedFigure.objects.select_related("source").order_by("metric", "-is_preferred", "pk")
    operation = (
        Operation.objects.filter(slug=slug)
        .prefetch_related(
            # The country rows before their figures: see services.implicit_reports().
            Prefetch("participations", queryset=Participation.objects.select_related("country").order_by("pk")),
            Prefetch("reported_figures", queryset=every_report, to_attr="reports"),
            "sources",
            "exploitation_forms",
        )
        .first()
    )
    if operation is not None:
        with_rows = {report.participation_id for report in operation.reports}
        operation.reports += implicit_reports(operation.participations.all(), with_rows)
    return operation


# --- Incremental sync: what changed since a moment -----------------------------------------------------------------
#
# Every write to the data leaves a simple_history record (the admin, the importer's insert_with_history, the
# services' saves), but for the rows an unattended import writes, which carry their date (updated_at, imported_at)
# until their first change writes their first record (services.COPY_ON_WRITE). A row of a list has changed since T
# when a record of it, or of what it shows, is dated T or later; deletions leave "-" records, which the deletions
# list reads.


def _recorded_since(model, moment, **match):
    recorded = Exists(model.history.filter(history_date__gte=moment, **match))
    first_change = services.COPY_ON_WRITE.get(model)
    if first_change is not None:
        # Rows an unattended import wrote have no history record until first changed (services.COPY_ON_WRITE):
        # their own date says when they were written.
        return recorded | Exists(model.objects.filter(**{f"{first_change.written_at}__gte": moment}, **match))
    return recorded


def operations_changed_since(queryset, moment):
    """Operations whose own row, countries or reported figures were written at or after `moment`."""
    return queryset.filter(
        _recorded_since(Operation, moment, id=OuterRef("pk"))
        | _recorded_since(Participation, moment, operation_id=OuterRef("pk"))
        | _recorded_since(ReportedFigure, moment, operation_id=OuterRef("pk"))
    )


def results_changed_since(queryset, moment):
    """Results whose own row or figures, or whose operation (its name, its dates), were written at or after `moment`."""
    return queryset.filter(
        _recorded_since(Participation, moment, id=OuterRef("pk"))
        | _recorded_since(ReportedFigure, moment, participation_id=OuterRef("pk"))
        | _recorded_since(Operation, moment, id=OuterRef("operation_id"))
    )


def countries_changed_since(queryset, moment):
    """Countries whose totals may have changed at or after `moment`: one of their results was written (added, edited,
    deleted) or a figure of one was."""
    results = Participation.objects.filter(country=OuterRef(OuterRef("pk"))).values("pk")
    figures = ReportedFigure.history.filter(history_date__gte=moment, participation_id__in=results)
    # Imported figures without a history record yet (services.COPY_ON_WRITE): by their own updated_at.
    unrecorded = ReportedFigure.objects.filter(updated_at__gte=moment, participation_id__in=results)
    return queryset.filter(
        _recorded_since(Participation, moment, country_id=OuterRef("pk")) | Exists(figures) | Exists(unrecorded)
    )


def sources_changed_since(queryset, moment):
    return queryset.filter(_recorded_since(Source, moment, id=OuterRef("pk")))


# The kinds of row the deletions list reports, with what identifies a deleted one besides its id.
_DELETABLE = {
    "operation": (Operation, "slug"),
    "result": (Participation, None),
    "source": (Source, "url"),
    # Not a deleted row but a country without results any more: see _dropped_countries().
    "country": (Country, "country__iso2"),
}


def _dropped_countries():
    """Countries gone from /countries/ (no kept total: no participation left) as the "-" record of their last deleted
    participation, so a country's row in the deletions list is dated when it dropped out. A country back in the list
    drops out of this."""
    records = Participation.history.filter(history_type="-")
    later = records.filter(country_id=OuterRef("country_id")).filter(
        Q(history_date__gt=OuterRef("history_date"))
        | Q(history_date=OuterRef("history_date"), history_id__gt=OuterRef("history_id"))
    )
    # The kept-total test first: it is a primary-key probe that leaves only dropped countries' records to the other.
    return records.filter(~Exists(CountryTotal.objects.filter(country_id=OuterRef("country_id")))).filter(
        ~Exists(later)
    )


def deletions(since=None, kinds=(), after=None):
    """Rows deleted (and not restored since) as dicts: kind, object_id, natural_key (an operation's slug, a source's
    URL, a country's ISO alpha-2 code), deleted_at, history_id; oldest first, one UNION over the
    history tables.

    `after` = (deleted_at, kind, history_id) of the last row a client has: keyset paging (history ids are per table,
    so the kind breaks ties between tables)."""
    parts = []
    for kind, (model, key) in _DELETABLE.items():
        if kinds and kind not in kinds:
            continue
        if kind == "country":
            records, identity = _dropped_countries(), "country_id"
        else:
            records, identity = model.history.filter(history_type="-").exclude(id__in=model.objects.values("pk")), "id"
        if since is not None:
            records = records.filter(history_date__gte=since)
        if after is not None:
            deleted_at, after_kind, history_id = after
            if kind > after_kind:
                records = records.filter(history_date__gte=deleted_at)
            elif kind < after_kind:
                records = records.filter(history_date__gt=deleted_at)
            else:
                records = records.filter(
                    Q(history_date__gt=deleted_at) | Q(history_date=deleted_at, history_id__gt=history_id)
                )
        parts.append(
            records.order_by()
            .annotate(
                kind=Value(kind, output_field=CharField()),
                natural_key=F(key) if key else Value("", output_field=CharField()),
                deleted_at=F("history_date"),
                object_id=F(identity),
            )
            .values("kind", "object_id", "natural_key", "deleted_at", "history_id")
        )
    return parts[0].union(*parts[1:], all=True).order_by("deleted_at", "kind", "history_id")


DELETION_KINDS = tuple(_DELETABLE)
