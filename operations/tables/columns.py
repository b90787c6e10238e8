"""The column types the lists share: a metric's figure (FigureColumn), cheap text and link cells, and the sort that
keeps unknown values last."""

import django_tables2 as tables
from django.db.models import F
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import capfirst

from ..figures import read_total
from ..markup import escape
from ..models import METRICS


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
        return nulls_last(queryset, self.sort_field, is_descending), True

    def render_footer(self, table):
        totals = getattr(table, "totals", None)
        if not totals:
            return ""
        return figure_total_html(totals[self.metric.value])


def figure_columns(*, total=False):
    """One FigureColumn per metric, named after the metric (`?sort=-victims_rescued`)."""
    return {metric.value: FigureColumn(metric, total=total) for metric in METRICS}


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


def nulls_last(queryset, field, is_descending):
    """Order by `field`, unknown (NULL) last in both directions, ties broken by primary key for stable pages.

    The tie-break runs in the same direction as the sort: then SQLite reads `?country=BR&sort=-arrests` straight
    from the (country, arrests) index; with "pk" ascending under a descending sort its plan adds a temporary B-tree
    (EXPLAIN QUERY PLAN, SQLite 3.4x)."""
    if is_descending:
        return queryset.order_by(F(field).desc(nulls_last=True), "-pk")
    return queryset.order_by(F(field).asc(nulls_last=True), "pk")
