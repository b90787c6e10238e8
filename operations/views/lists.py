"""The lists (/operations/, /results/, /countries/) and a country's page: a few declarative lines each."""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, ngettext_lazy
from django.views.generic import TemplateView

from .. import exports, filters, queries, tables
from ..figures import grouped
from ..models import METRICS
from .export import ExportMixin
from .generic import FilteredTableView, PagedTableMixin


class OperationListView(FilteredTableView):
    title = _("Operations")
    export_spec = exports.OPERATIONS
    count_text = ngettext_lazy("%(count)s operation", "%(count)s operations", "count")
    filterset_class = filters.OperationFilter
    table_class = tables.OperationTable
    intro = _(
        "Countries reported: how many countries an operation's release says took part. Countries named: how many the "
        "sources name one by one (its rows in Results by country). A release often gives a count without naming every "
        "country; where a source names one the count left out, named is the larger."
    )

    totals_count_rows = True

    def get_queryset(self):
        return queries.operations_for_filtering()

    def get_rows(self, queryset):
        return queries.operation_rows(queryset)

    def get_totals(self, queryset):
        return queries.operation_totals(queryset)


# What a filter left empty cleans to.
class ResultListView(FilteredTableView):
    title = _("Results by country")
    count_text = ngettext_lazy("%(count)s result", "%(count)s results", "count")
    filterset_class = filters.ResultFilter
    table_class = tables.ResultTable
    export_spec = exports.RESULTS

    totals_count_rows = True

    def get_queryset(self):
        return queries.results_for_filtering()

    def get_totals(self, queryset):
        return queries.result_totals(queryset, self.filters_in_use())


class CountryListView(FilteredTableView):
    title = _("Countries")
    count_text = ngettext_lazy("%(count)s country", "%(count)s countries", "count")
    filterset_class = filters.CountryListFilter
    table_class = tables.CountryTable
    export_spec = exports.COUNTRIES

    def get_queryset(self):
        return queries.countries_for_filtering()

    def get_rows(self, queryset):
        return queries.country_rows(queryset)

    def get_totals(self, queryset):
        return queries.country_list_totals(queryset)


class CountryDetailView(ExportMixin, PagedTableMixin, TemplateView):
    """A country's totals across operations and every operation it took part in, with its own figures."""

    template_name = "operations/country_detail.html"
    table_class = tables.ResultTable
    export_spec = exports.COUNTRY_RESULTS

    def dispatch(self, request, *args, **kwargs):
        # In dispatch, not get: the export (ExportMixin.dispatch) needs the country too.
        self.country = queries.country_by_iso2(kwargs["iso2"])
        if self.country is None:
            raise Http404(_("No country has the ISO code “%(iso2)s”.") % {"iso2": kwargs["iso2"][:10]})
        return super().dispatch(request, *args, **kwargs)

    def get_export_filters(self):
        return [("country", self.country.iso2)]

    def get_package_rows(self):
        return queries.country_results(self.country)

    def get_table_data(self):
        return queries.country_results(self.country)

    def get_table_kwargs(self):
        return {
            "exclude": ("country",),
            "caption": _("Operations %(country)s took part in") % {"country": self.country.name},
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        totals = queries.country_totals(self.country)
        count = context["table_count"]
        context.update(
            country=self.country,
            totals=[(metric, totals[metric.value]) for metric in METRICS],
            result_count_text=ngettext("%(count)s operation", "%(count)s operations", count)
            % {"count": grouped(count)},
        )
        return context
