"""The one list view: FilterSet + Table + paging + export, as every list of the tracker uses it."""

from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django_filters.views import FilterView
from django_tables2 import RequestConfig, SingleTableMixin

from .. import caching
from ..figures import grouped
from ..models import METRICS
from ..tables import ALLOWED_PER_PAGE, DEFAULT_PER_PAGE
from .export import ExportMixin

# --- Browsing: filterable, sortable tables and comparison (issue #3) -------------------------------------------


_NO_VALUE = (None, "", [], ())


class _GroupedCount(int):
    """A row count that chooses the plural form as a number and prints with the locale's grouping ("1 234")."""

    def __str__(self):
        return grouped(int(self))


class CountedPaginator(Paginator):
    """A paginator that can be told its row count, so a page whose footer totals already counted the filtered rows
    does not count them again."""

    def __init__(self, object_list, per_page, count=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        if count is not None:
            self.count = count  # Paginator.count is a cached_property: this is its cached value


class PagedTableMixin(SingleTableMixin):
    """tables2 sorting and paging with a bounded page size: `?per_page=` outside the offered sizes gives the default
    (never 500 rows, never -1), `?page=` past the end gives the last page, not a 404."""

    allowed_per_page = ALLOWED_PER_PAGE
    default_per_page = DEFAULT_PER_PAGE

    def get_per_page(self):
        """`?per_page=` when it is one of the offered sizes; otherwise the default (never 500 rows, never -1)."""
        try:
            per_page = int(self.request.GET.get("per_page", ""))
        except ValueError:
            return self.default_per_page
        return per_page if per_page in self.allowed_per_page else self.default_per_page

    def get_paginate_by(self, table_data=None):
        # Paging is the table's (get_table); FilterView's own paginator must not page (and 404) the object list too.
        return None

    def get_table(self, **kwargs):
        table = self.get_table_class()(data=self.get_table_data(), **kwargs)
        RequestConfig(self.request, paginate=False).configure(table)  # ?sort=, validated against the columns
        per_page, count = self.get_per_page(), self.known_row_count(table)
        table.paginate(paginator_class=CountedPaginator, per_page=per_page, count=count)
        # Paginator.get_page: not a number -> first page, past the end (?page=99999) -> last page.
        table.page = table.paginator.get_page(self.request.GET.get(table.prefixed_page_field))
        return table

    def get_context_data(self, **kwargs):
        # Not SingleTableMixin's get_context_data, which always builds the table: here the table (its count, footer
        # totals, page of rows and HTML) is built only when its rendering for this URL and data version is not cached.
        context = super(SingleTableMixin, self).get_context_data(**kwargs)
        if self.shows_table():
            rendered = caching.cached(self.__class__.__name__, self.request, self.render_table)
            context.update(
                table_html=rendered["html"],
                table_count=rendered["count"],
                filter_form_html=rendered.get("filter_form_html"),
            )
        context.update(per_page=self.get_per_page(), per_page_choices=self.allowed_per_page)
        return context

    def shows_table(self):
        return True

    def known_row_count(self, table):
        """The number of rows when a query made for something else already counted them (else None: COUNT(*))."""
        return None

    def render_table(self):
        """The table's HTML and its row count: what caching.cached keeps."""
        table = self.get_table(**self.get_table_kwargs())
        return {"html": table.as_html(self.request), "count": table.paginator.count}


class FilteredTableView(ExportMixin, PagedTableMixin, FilterView):
    """A filterable, sortable, paginated table: django-filter parses and validates the filters, tables2 sorts and
    pages. A list is a few declarative lines: the base queryset the filters narrow, the row queryset the table shows,
    the totals of the footer (SQL over the whole filtered set), the FilterSet, the Table.

    `get_table().data.data` is the filtered, sorted queryset of every row (not only the page): what an export needs.
    """

    template_name = "operations/filtered_table.html"
    title = ""
    count_text = None  # ngettext_lazy("%(count)s operation", "%(count)s operations", "count")

    # Hooks (queries.py functions): the queryset filters narrow, what each row shows, the footer totals.
    def get_queryset(self):
        raise NotImplementedError

    def get_rows(self, queryset):
        return queryset

    def get_totals(self, queryset):
        return None

    @property
    def filters_invalid(self):
        return self.filterset.is_bound and not self.filterset.is_valid()

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if self.filters_invalid:
            # The page still renders, with the form's errors above where the table would be: nothing pretends to
            # have filtered.
            response.status_code = 400
        return response

    def get_table_data(self):
        return self.get_rows(self.object_list)

    def get_table_kwargs(self):
        kwargs = {"caption": self.title}
        if not self.filters_invalid:
            kwargs["totals"] = self.get_totals(self.object_list)
        return kwargs

    # The footer totals of a list whose rows are the figures' rows (operations, results) count those rows: every
    # FigureTotal's `parts` is COUNT(*) of the filtered set.
    totals_count_rows = False

    def known_row_count(self, table):
        if self.totals_count_rows and table.totals:
            return table.totals[METRICS[0].value].parts
        return None

    def shows_table(self):
        return not self.filters_invalid

    def render_table(self):
        # With valid filters the filter form's HTML, too, follows from the URL alone: cache it with the table (its
        # country select alone is ~250 options to build).
        rendered = super().render_table()
        rendered["filter_form_html"] = render_to_string(
            "includes/filter_form.html", {"form": self.filterset.form}, request=self.request
        )
        return rendered

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        count = context.get("table_count", 0)
        context.update(
            title=self.title,
            filters_invalid=self.filters_invalid,
            active_filters=self.active_filters(),
            result_count=count,
            result_count_text=self.count_text % {"count": _GroupedCount(count)},
        )
        return context

    def filters_in_use(self) -> dict:
        """The valid filters with a value: name -> cleaned value."""
        if not self.filterset.is_bound or self.filters_invalid:
            return {}
        return {name: value for name, value in self.filterset.form.cleaned_data.items() if value not in _NO_VALUE}

    def active_filters(self):
        """The filters in use, each with a link that removes it (keeping sort, page size and the other filters)."""
        if not self.filterset.is_bound or self.filters_invalid:
            return []
        active = []
        for name, value in self.filters_in_use().items():
            field = self.filterset.form.fields[name]
            # A choice shows its label ("command centre"), a model choice its str(); iterate, as choices may be lazy.
            choices = {} if hasattr(field, "queryset") else {key: label for key, label in getattr(field, "choices", ())}
            remaining = self.request.GET.copy()
            remaining.pop(name, None)
            remaining.pop("page", None)
            active.append(
                {
                    "name": name,
                    "label": field.label,
                    "value": choices.get(value, value),
                    "remove_url": f"?{remaining.urlencode()}" if remaining else self.request.path,
                }
            )
        return active
