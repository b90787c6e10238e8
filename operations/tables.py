"""One django-tables2 Table per list; figure columns are derived from METRICS and display through figures.py."""

import django_tables2 as tables
from django.contrib.humanize.templatetags.humanize import intcomma
from django.db.models import F
from django.utils.html import format_html
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import queries
from .models import METRICS, Country, Operation, Participation

ALLOWED_PER_PAGE = (25, 50, 100, 250)
DEFAULT_PER_PAGE = 50


def _wide_only(td_class, *, th="", breakpoint="lg"):
    """Attributes of a column a phone can do without: hidden below the `breakpoint`, in every row and the footer."""
    hide = f"d-none d-{breakpoint}-table-cell"
    return {"td": {"class": f"{td_class} {hide}"}, "th": {"class": f"{th} {hide}".strip()}, "tf": {"class": hide}}


def figure_total_html(total):
    """A qualified total on two lines: "at least 3,105", then its caveat ("2 approximate, 1 unknown") in small."""
    text = total.short()
    caveat = total.caveat() if total.value is not None else ""
    if not caveat:
        return text
    return format_html('{} <br><small class="figure-caveat">({})</small>', text.removesuffix(f" ({caveat})"), caveat)


class FigureColumn(tables.Column):
    """A metric's figure as the source states it ("nearly 700", "250+"); sorts by its value, unknown last both ways.

    `total=True` for rows that carry `queries.total_aggregates()` (a country's total across its operations): the cell
    is then a FigureTotal ("at least 3,105 (2 approximate)"). The footer is the table's `totals[metric]`, computed in
    SQL over the filtered rows by the view, never summed here over one page."""

    def __init__(self, metric, *, total=False, **kwargs):
        self.metric = metric
        self.total = total
        self.sort_field = f"{metric.value}_total" if total else metric.value
        kwargs.setdefault("verbose_name", capfirst(metric.label))
        kwargs.setdefault("accessor", tables.A(self.sort_field))
        kwargs.setdefault("default", "—")
        kwargs.setdefault(
            "attrs",
            {
                "td": {"class": "figure-cell", "data-metric": metric.value},
                "th": {"class": "text-end"},
                "tf": {"class": "figure-cell", "data-metric": metric.value},
            },
        )
        super().__init__(**kwargs)

    def figure_of(self, record):
        if self.total:
            return queries.figure_total(record, self.metric)
        return record.figure(self.metric)

    def render(self, record):
        if self.total:
            return figure_total_html(self.figure_of(record))
        return self.figure_of(record).short()

    def value(self, record):
        return self.figure_of(record).short()

    def order(self, queryset, is_descending):
        return _nulls_last(queryset, self.sort_field, is_descending), True

    def render_footer(self, table):
        totals = getattr(table, "totals", None)
        if not totals:
            return ""
        return figure_total_html(totals[self.metric.value])


def figure_columns(*, total=False):
    """One FigureColumn per metric, named after the metric (`?sort=-victims_rescued`)."""
    return {metric.value: FigureColumn(metric, total=total) for metric in METRICS}


class TrackerTable(tables.Table):
    """What every list shares: the caption, the totals handed in by the view, Bootstrap classes."""

    caption = ""

    def __init__(self, *args, totals=None, caption=None, **kwargs):
        self.totals = totals
        if caption is not None:
            self.caption = caption
        super().__init__(*args, **kwargs)

    def totals_label(self):
        """The label of the footer row: it totals every filtered row, not only this page."""
        paginator = getattr(self, "paginator", None)
        if not self.totals or paginator is None:
            return ""
        return ngettext("Total (%(count)s row)", "Total (all %(count)s rows)", paginator.count) % {
            "count": intcomma(paginator.count)
        }

    class Meta:
        template_name = "django_tables2/tracker.html"
        attrs = {"class": "table table-sm table-striped table-hover align-middle"}
        per_page = DEFAULT_PER_PAGE
        empty_text = _("No rows match these filters.")


def _with_figures(name, bases, attrs, *, total=False):
    """Build a Table class whose figure columns follow `attrs`' columns (tables2 reads columns at class creation)."""
    # tables2 reads `Meta` from the class's own namespace only, so hand the base's Meta on explicitly.
    attrs = {"Meta": bases[0].Meta, **attrs, **figure_columns(total=total), "__module__": __name__}
    return type(name, bases, attrs)


class _OperationColumns(TrackerTable):
    name = tables.Column(
        verbose_name=_("Operation"),
        linkify=True,
        footer=lambda table: table.totals_label(),
        attrs={"td": {"class": "fw-semibold name-cell"}},
    )
    coordinator = tables.Column(verbose_name=_("Coordinator"), attrs=_wide_only("small coordinator-cell"))
    period = tables.Column(
        verbose_name=_("Period"),
        accessor="start_date",
        order_by=("start_date", "end_date"),
        empty_values=(),
        attrs={"td": {"class": "small text-nowrap"}},
    )
    area = tables.Column(verbose_name=_("Region (as reported)"), attrs=_wide_only("small", breakpoint="xxl"))
    countries_reported = tables.Column(
        verbose_name=_("Countries reported"), attrs=_wide_only("figure-cell", th="text-end", breakpoint="md")
    )
    countries_named = tables.Column(
        verbose_name=_("Countries named"), attrs=_wide_only("figure-cell", th="text-end", breakpoint="md")
    )

    class Meta(TrackerTable.Meta):
        model = Operation
        fields = ()
        row_attrs = {"data-slug": lambda record: record.slug}

    def render_coordinator(self, value):
        # Coordinators are described at length ("INTERPOL (Project to Combat ...); operational coordination centre
        # at ..."); the cell shows the start, the tooltip the whole text.
        return format_html('<span title="{}">{}</span>', value, Truncator(value).chars(50))

    def render_period(self, record):
        # Break after the dash so the column is one date wide (the table must fit a 1280-pixel screen).
        start, dash, end = period_text(record).partition(" – ")
        return format_html("{}{}<br>{}", start, dash, end) if dash else start

    def order_period(self, queryset, is_descending):
        return _nulls_last(queryset, "start_date", is_descending), True

    def order_countries_reported(self, queryset, is_descending):
        return _nulls_last(queryset, "countries_reported", is_descending), True


def period_text(operation):
    """ "2016-06-01 – 2016-06-10", or the year alone when that is all the sources give."""
    if operation.start_date is None:
        return str(operation.year) if operation.year else "—"
    if operation.date_precision == "year":
        return str(operation.start_date.year)
    start = operation.start_date.isoformat()
    if operation.end_date and operation.end_date != operation.start_date:
        return f"{start} – {operation.end_date.isoformat()}"
    return start


def _nulls_last(queryset, field, is_descending):
    """Order by `field`, unknown (NULL) last in both directions, ties broken by primary key for stable pages.

    The tie-break runs in the same direction as the sort: then SQLite reads `?country=BR&sort=-arrests` straight
    from the (country, arrests) index; with "pk" ascending under a descending sort its plan adds a temporary B-tree
    (EXPLAIN QUERY PLAN, SQLite 3.4x)."""
    if is_descending:
        return queryset.order_by(F(field).desc(nulls_last=True), "-pk")
    return queryset.order_by(F(field).asc(nulls_last=True), "pk")


OperationTable = _with_figures(
    "OperationTable", (_OperationColumns,), {"__doc__": "/operations/: one row per operation."}
)


class _ResultColumns(TrackerTable):
    operation = tables.Column(
        verbose_name=_("Operation"),
        linkify=lambda record: record.operation.get_absolute_url(),
        footer=lambda table: table.totals_label(),
        order_by=("operation__name",),
        attrs={"td": {"class": "fw-semibold name-cell"}},
    )
    year = tables.Column(verbose_name=_("Year"), accessor="operation__year")
    country = tables.Column(
        verbose_name=_("Country"),
        linkify=lambda record: record.country.get_absolute_url(),
        order_by=("country__name",),
    )
    role = tables.Column(verbose_name=_("Role"))

    class Meta(TrackerTable.Meta):
        model = Participation
        fields = ()
        row_attrs = {
            "data-operation": lambda record: record.operation.slug,
            "data-country": lambda record: record.country.iso2,
        }

    def order_year(self, queryset, is_descending):
        return _nulls_last(queryset, "operation__year", is_descending), True


ResultTable = _with_figures(
    "ResultTable", (_ResultColumns,), {"__doc__": "/results/: one row per operation x country."}
)


class _CountryColumns(TrackerTable):
    name = tables.Column(
        verbose_name=_("Country"),
        linkify=True,
        footer=lambda table: table.totals_label(),
        attrs={"td": {"class": "fw-semibold"}},
    )
    iso2 = tables.Column(verbose_name=_("ISO"))
    region = tables.Column(verbose_name=_("Region"))
    subregion = tables.Column(verbose_name=_("Sub-region"))
    operations_count = tables.Column(
        verbose_name=_("Operations"), attrs={"td": {"class": "figure-cell"}, "th": {"class": "text-end"}}
    )

    class Meta(TrackerTable.Meta):
        model = Country
        fields = ()
        row_attrs = {"data-iso2": lambda record: record.iso2}

    def render_name(self, record):
        return str(record)  # the country's name in the interface language


CountryTable = _with_figures(
    "CountryTable",
    (_CountryColumns,),
    {"__doc__": "/countries/: one row per participating country, with its totals across operations."},
    total=True,
)
