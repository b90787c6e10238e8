"""One django-tables2 Table per list; figure columns are derived from METRICS and display through figures.py."""

import html

import django_tables2 as tables
from django.db.models import F
from django.utils.formats import localize
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.text import Truncator, capfirst
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_tables2.templatetags.django_tables2 import table_page_range
from django_tables2.utils import AttributeDict

from .countries import name_order
from .figures import grouped, read_total
from .markup import attrs_html, escape
from .models import METRICS, Country, Operation, Participation, Region, Role
from .periods import operation_period

ALLOWED_PER_PAGE = (25, 50, 100, 250)
DEFAULT_PER_PAGE = 50


def _wide_only(td_class, *, th="", breakpoint="lg"):
    """Attributes of a column a phone can do without: hidden below the `breakpoint`, in every row and the footer."""
    hide = f"d-none d-{breakpoint}-table-cell"
    return {"td": {"class": f"{td_class} {hide}"}, "th": {"class": f"{th} {hide}".strip()}, "tf": {"class": hide}}


def figure_total_html(total):
    """A qualified total on two lines: "at least 3,105", then its caveat ("2 approximate, 1 unknown") in small."""
    text, caveat = total.text_and_caveat()
    if not caveat:
        return text
    return format_html('{} <br><small class="figure-caveat">({})</small>', text, caveat)


class FigureColumn(tables.Column):
    """A metric's figure with its qualifier ("about 700", "at least 250"); sorts by its value, unknown last both ways.

    `total=True` for rows that carry the parts of a qualified total (figures.total_aggregates(), counted by
    `operations_count`: a country's total across its operations): the cell is then a FigureTotal ("at least 3,105
    (2 approximate)"). The footer is the table's `totals[metric]`, computed in
    SQL over the filtered rows by the view, never summed here over one page."""

    def __init__(self, metric, *, total=False, **kwargs):
        self.metric = metric
        self.total = total
        self.sort_field = f"{metric.value}_sum" if total else metric.value
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
            return read_total(record, self.metric, count="operations_count")
        return record.figure(self.metric)

    def render(self, record):
        if self.total:
            return figure_total_html(self.figure_of(record))
        return str(self.figure_of(record))

    # A figure cell never needs tables2's empty-value handling: an unknown figure renders "—" itself.
    cell_html = render

    def value(self, record):
        return str(self.figure_of(record))

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


def _table_attrs_html(attrs):
    # As tables2's {% render_attrs table.attrs class="table" %}.
    return AttributeDict({"class": "table", **attrs}).as_html()


def _querystring(query, key, value):
    """tables2's {% querystring_replace key=value %}: the current query string with one parameter replaced."""
    return html.escape("?" + urlencode({**query, key: value}, doseq=True))


class FastColumn(tables.Column):
    """A column with a cheap cell for TrackerTable.rows_html: `text(record)` (HTML-safe or plain text), or else the
    accessor's value; the column's `default` when that is empty. tables2's own path (`render`) gives the same."""

    def __init__(self, *, text=None, **kwargs):
        self.text = text
        kwargs.setdefault("default", "—")
        super().__init__(empty_values=(), **kwargs)  # cell_html handles empty values itself

    def cell_html(self, record):
        value = self.text(record) if self.text else self.accessor.resolve(record, quiet=True)
        return self.default if value in (None, "") else value

    def render(self, record):
        return self.cell_html(record)


class LinkedColumn(FastColumn):
    """A FastColumn whose cell links to `url(record)`, followed by `after(record)` (HTML) when given; `?sort=` orders
    by `order_by` as for any column."""

    def __init__(self, *, url, after=None, **kwargs):
        self.url = url
        self.after = after
        super().__init__(**kwargs)

    def cell_html(self, record):
        after = self.after(record) if self.after else ""
        return mark_safe(f'<a href="{escape(self.url(record))}">{escape(super().cell_html(record))}</a>{after}')


class TrackerTable(tables.Table):
    """What every list shares: the caption, the totals handed in by the view, Bootstrap classes, and the page's rows
    rendered in one pass (rows_html)."""

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
            "count": grouped(paginator.count)
        }

    def as_html(self, request):
        """The whole table (caption, header with sort links, rows, footer, pagination) built in Python, with the
        markup of tables2's bootstrap5-responsive template: through the template the header, footer and pagination
        alone cost ~8 ms of an uncached 50-row page (a template variable, tag and attribute dict per cell)."""
        self.before_render(request)
        query = dict(request.GET)
        # Only the table scrolls sideways on a narrow screen, in a focusable region (a keyboard scrolls it too) named
        # by the caption; the page links stay below it, in view.
        label = f' aria-label="{escape(self.caption)}"' if self.caption else ""
        parts = [
            '<div class="table-container">',
            f'<div class="table-responsive" tabindex="0" role="region"{label}>',
            f"<table {_table_attrs_html(self.attrs)}>",
        ]
        if self.caption:
            parts.append(f'<caption class="visually-hidden">{escape(self.caption)}</caption>')
        columns = list(self.columns)
        if self.show_header:
            parts.append("<thead><tr>")
            sort_field = self.prefixed_order_by_field
            for column in columns:
                header = escape(column.header)
                if column.orderable:
                    href = _querystring(query, sort_field, column.order_by_alias.next)
                    header = f'<a href="{href}">{header}</a>'
                parts.append(f'<th {column.attrs["th"].as_html()} scope="col">{header}</th>')
            parts.append("</tr></thead>")
        parts.append("<tbody>")
        parts.append(self.rows_html() if len(self.paginated_rows) else self._empty_html(columns))
        parts.append("</tbody>")
        if self.has_footer():
            parts.append("<tfoot><tr>")
            parts += [f"<td {column.attrs['tf'].as_html()}>{escape(column.footer)}</td>" for column in columns]
            parts.append("</tr></tfoot>")
        parts.append("</table></div>")
        parts.append(self.pagination_html(query))
        parts.append("</div>")
        return mark_safe("".join(parts))

    def _empty_html(self, columns):
        if not self.empty_text:
            return ""
        return f'<tr><td colspan="{len(columns)}">{escape(self.empty_text)}</td></tr>'

    def pagination_html(self, query):
        """tables2's page links: previous, at most 10 page numbers with "..." gaps, next."""
        page = getattr(self, "page", None)
        if not page or self.paginator.num_pages <= 1:
            return ""
        field = self.prefixed_page_field
        parts = ['<nav aria-label="Table navigation"><ul class="pagination justify-content-center">']
        if page.has_previous():
            href = _querystring(query, field, page.previous_page_number())
            parts.append(
                f'<li class="previous page-item"><a href="{href}" class="page-link">'
                f'<span aria-hidden="true">&laquo;</span> {escape(gettext("previous"))}</a></li>'
            )
        if page.has_previous() or page.has_next():
            for number in table_page_range(page, self.paginator):
                active = " active" if number == page.number else ""
                href = f' href="{_querystring(query, field, number)}"' if number != "..." else ""
                parts.append(f'<li class="page-item{active}"><a class="page-link"{href}>{number}</a></li>')
        if page.has_next():
            href = _querystring(query, field, page.next_page_number())
            parts.append(
                f'<li class="next page-item"><a href="{href}" class="page-link">'
                f'{escape(gettext("next"))} <span aria-hidden="true">&raquo;</span></a></li>'
            )
        parts.append("</ul></nav>")
        return "".join(parts)

    def rows_html(self):
        """The <tr> elements of this page, built in Python.

        tables2's template renders cell by cell through BoundRow.items(): per cell it inspects the render method's
        signature, recomputes the column's <td> attributes and resolves a dozen template variables; that was ~150 ms
        of a 50-row page (~0.3 ms a cell). Here each column's <td> attributes are computed once per page, and each
        cell comes from its column's `cell_html(record)` when it has one (figures, links) or else from tables2's own
        BoundRow.get_cell (render_FOO methods, choices, defaults), so the HTML is the same as tables2's template's.
        Attributes that depend on the record (callables in a column's `attrs`) are not supported here."""
        cells = []
        for bound_column in self.columns:
            fast = getattr(bound_column.column, "cell_html", None)
            cells.append((bound_column.name, fast, f"<td {bound_column.attrs['td'].as_html()}>"))
        row_attrs = list(self.row_attrs.items())
        out = []
        for counter, row in enumerate(self.paginated_rows):
            record = row.record
            attrs = {name: value(record=record) if callable(value) else value for name, value in row_attrs}
            parity = "odd" if counter % 2 else "even"
            attrs["class"] = f"{attrs['class']} {parity}" if attrs.get("class") else parity
            out.append(f"<tr {attrs_html(attrs)}>")
            for name, fast, td in cells:
                value = fast(record) if fast else row.get_cell(name)
                if not isinstance(value, str):
                    value = localize(value)
                out.append(f"{td}{escape(value)}</td>")
            out.append("</tr>")
        return mark_safe("".join(out))

    class Meta:
        attrs = {"class": "table table-sm table-striped table-hover align-middle"}
        per_page = DEFAULT_PER_PAGE
        empty_text = _("No rows match these filters.")


def _with_figures(name, bases, attrs, *, total=False):
    """Build a Table class whose figure columns follow `attrs`' columns (tables2 reads columns at class creation)."""
    # tables2 reads `Meta` from the class's own namespace only, so hand the base's Meta on explicitly.
    attrs = {"Meta": bases[0].Meta, **attrs, **figure_columns(total=total), "__module__": __name__}
    return type(name, bases, attrs)


def unverified_badge(operation) -> str:
    """The "unverified" badge an operation resting on a single unchecked secondary report carries wherever it is
    named (lists, country pages, compare, dashboards, overview); "" for a verified one."""
    if operation.is_verified:
        return ""
    return format_html(
        ' <span class="badge text-bg-warning unverified-badge" title="{}">{}</span>',
        gettext("The only source is a secondary report not checked against the agency's own release."),
        gettext("unverified"),
    )


def coordinator_html(operation):
    # Coordinators are described at length ("INTERPOL (Project to Combat ...); operational coordination centre
    # at ..."); the cell shows the start, the tooltip the whole text.
    if not operation.coordinator:
        return None
    # Cut after a word, never inside one ("Uni…"); the dashboard the row links to gives the whole text.
    return format_html('<span title="{}">{}</span>', operation.coordinator, Truncator(operation.coordinator).words(8))


def period_html(operation):
    # Break after a spaced dash ("12 June – 3 July 2022") so the column stays narrow (the table must fit a 1280-pixel
    # screen); "May–June 2023" stays on one line.
    start, dash, end = operation_period(operation, unknown="—").partition(" – ")
    return format_html("{}{}<br>{}", start, dash, end) if dash else start


class _OperationColumns(TrackerTable):
    name = LinkedColumn(
        verbose_name=_("Operation"),
        url=Operation.get_absolute_url,
        after=unverified_badge,
        footer=lambda table: table.totals_label(),
        attrs={"td": {"class": "fw-semibold name-cell"}},
    )
    coordinator = FastColumn(
        verbose_name=_("Coordinator"), text=coordinator_html, attrs=_wide_only("small coordinator-cell")
    )
    period = FastColumn(
        verbose_name=_("Period"),
        accessor="start_date",
        text=period_html,
        order_by=("start_date", "end_date"),
        attrs={"td": {"class": "small text-nowrap"}},
    )
    area = FastColumn(verbose_name=_("Region (as reported)"), attrs=_wide_only("small", breakpoint="xxl"))
    countries_reported = FastColumn(
        verbose_name=_("Countries reported"), attrs=_wide_only("figure-cell", th="text-end", breakpoint="md")
    )
    countries_named = FastColumn(
        verbose_name=_("Countries named"), attrs=_wide_only("figure-cell", th="text-end", breakpoint="md")
    )

    class Meta(TrackerTable.Meta):
        model = Operation
        fields = ()
        row_attrs = {"data-slug": lambda record: record.slug}

    def order_period(self, queryset, is_descending):
        return _nulls_last(queryset, "start_date", is_descending), True

    def order_countries_reported(self, queryset, is_descending):
        return _nulls_last(queryset, "countries_reported", is_descending), True

    # Many operations name as many countries: without the primary key to break ties, PostgreSQL returns tied rows in
    # any order, so paging could show one twice and skip another (the API's cursors, which add it, found this).
    def order_countries_named(self, queryset, is_descending):
        return _nulls_last(queryset, "countries_named", is_descending), True


def _nulls_last(queryset, field, is_descending):
    """Order by `field`, unknown (NULL) last in both directions, ties broken by primary key for stable pages.

    The tie-break runs in the same direction as the sort: then SQLite reads `?country=BR&sort=-arrests` straight
    from the (country, arrests) index; with "pk" ascending under a descending sort its plan adds a temporary B-tree
    (EXPLAIN QUERY PLAN, SQLite 3.4x)."""
    if is_descending:
        return queryset.order_by(F(field).desc(nulls_last=True), "-pk")
    return queryset.order_by(F(field).asc(nulls_last=True), "pk")


def _by_country_name(queryset, field, is_descending):
    """Rows in the order of their country's name as the interface language sorts it (not the English name's bytes)."""
    order = name_order(field)
    return queryset.order_by(order.desc() if is_descending else order.asc(), "-pk" if is_descending else "pk")


OperationTable = _with_figures(
    "OperationTable", (_OperationColumns,), {"__doc__": "/operations/: one row per operation."}
)


# get_FOO_display() rebuilds the field's choices on every call (~0.1 ms a row); the labels stay lazy, translated when
# the cell is written.
_ROLE_LABELS = dict(Role.choices)
_REGION_LABELS = dict(Region.choices)


class _ResultColumns(TrackerTable):
    operation = LinkedColumn(
        verbose_name=_("Operation"),
        url=lambda record: record.operation.get_absolute_url(),
        text=lambda record: record.operation.name,
        after=lambda record: unverified_badge(record.operation),
        footer=lambda table: table.totals_label(),
        order_by=("operation__name",),
        attrs={"td": {"class": "fw-semibold name-cell"}},
    )
    year = FastColumn(verbose_name=_("Year"), accessor="operation__year")
    country = LinkedColumn(
        verbose_name=_("Country"),
        url=lambda record: record.country.get_absolute_url(),
        text=lambda record: str(record.country),
        order_by=("country__name",),
    )
    role = FastColumn(verbose_name=_("Role"), text=lambda record: _ROLE_LABELS.get(record.role, record.role))

    class Meta(TrackerTable.Meta):
        model = Participation
        fields = ()
        row_attrs = {
            "data-operation": lambda record: record.operation.slug,
            "data-country": lambda record: record.country.iso2,
        }

    def order_year(self, queryset, is_descending):
        return _nulls_last(queryset, "operation__year", is_descending), True

    def order_country(self, queryset, is_descending):
        return _by_country_name(queryset, "country__iso2", is_descending), True


ResultTable = _with_figures(
    "ResultTable", (_ResultColumns,), {"__doc__": "/results/: one row per operation x country."}
)


class _CountryColumns(TrackerTable):
    name = LinkedColumn(
        verbose_name=_("Country"),
        url=Country.get_absolute_url,
        text=str,  # the country's name in the interface language
        footer=lambda table: table.totals_label(),
        attrs={"td": {"class": "fw-semibold"}},
    )
    iso2 = FastColumn(verbose_name=_("ISO"))
    region = FastColumn(verbose_name=_("Region"), text=lambda record: _REGION_LABELS.get(record.region, record.region))
    subregion = FastColumn(verbose_name=_("Sub-region"), text=lambda record: record.localized_subregion())
    operations_count = FastColumn(
        verbose_name=_("Operations"), attrs={"td": {"class": "figure-cell"}, "th": {"class": "text-end"}}
    )

    class Meta(TrackerTable.Meta):
        model = Country
        fields = ()
        row_attrs = {"data-iso2": lambda record: record.iso2}

    def order_name(self, queryset, is_descending):
        return _by_country_name(queryset, "iso2", is_descending), True


CountryTable = _with_figures(
    "CountryTable",
    (_CountryColumns,),
    {"__doc__": "/countries/: one row per participating country, with its totals across operations."},
    total=True,
)
