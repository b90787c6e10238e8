"""TrackerTable: what every list's table shares (caption, totals footer, paging), written in Python with the markup of
tables2's bootstrap5-responsive template."""

import html
from functools import cached_property

import django_tables2 as tables
from django.db.models import F
from django.utils.formats import localize
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_tables2.data import TableQuerysetData
from django_tables2.templatetags.django_tables2 import table_page_range
from django_tables2.utils import AttributeDict

from ..figures import grouped
from ..markup import attrs_html, escape
from ..models import FigureMixin

ALLOWED_PER_PAGE = (25, 50, 100, 250)
DEFAULT_PER_PAGE = 50


def _table_attrs_html(attrs):
    # As tables2's {% render_attrs table.attrs class="table" %}.
    return AttributeDict({"class": "table", **attrs}).as_html()


def _querystring(query, key, value):
    """tables2's {% querystring_replace key=value %}: the current query string with one parameter replaced."""
    return html.escape("?" + urlencode({**query, key: value}, doseq=True))


class ValueRow(FigureMixin):
    """One row of a page read as values(): each value an attribute (`row.slug`), and figure(metric) as the model's."""

    def __init__(self, values):
        self.__dict__ = values


class ValueRowsData(TableQuerysetData):
    """A queryset whose pages are read as values() into ValueRows (`row_values`: attribute name -> lookup). Sorting,
    counting and the export read the queryset itself (`.data`), as for any queryset."""

    def __init__(self, data, row_values):
        super().__init__(data)
        self.fields = [name for name, lookup in row_values.items() if name == lookup]
        self.expressions = {name: F(lookup) for name, lookup in row_values.items() if name != lookup}

    def __getitem__(self, key):
        if isinstance(key, slice):
            return _LazyRows(self.data.values(*self.fields, **self.expressions)[key])
        return super().__getitem__(key)


class _LazyRows:
    """A page's ValueRows, read when first used: tables2 slices a page more than once before showing one."""

    def __init__(self, queryset):
        self.queryset = queryset

    @cached_property
    def rows(self):
        return [ValueRow(values) for values in self.queryset]

    def __iter__(self):
        return iter(self.rows)

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, key):
        return self.rows[key]


class TrackerTable(tables.Table):
    """What every list shares: the caption, the totals handed in by the view, Bootstrap classes, and the page's rows
    rendered in one pass (rows_html)."""

    caption = ""
    # {attribute: lookup} to read each row of a page as values() (ValueRow) rather than as model instances: a page of
    # 50 results with their operations and countries was 150 instances, twice the query's own time (~1 ms).
    row_values = None

    def __init__(self, data=None, *args, totals=None, caption=None, **kwargs):
        self.totals = totals
        if caption is not None:
            self.caption = caption
        if self.row_values and TableQuerysetData.validate(data):
            data = ValueRowsData(data, self.row_values)
        super().__init__(data, *args, **kwargs)

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
