"""Thin views: each picks its queryset (from queries.py), its table or filterset, and its template."""

import logging
from functools import partial

from django.contrib.auth.decorators import login_not_required
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext, ngettext_lazy
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView
from django_filters.views import FilterView
from django_tables2 import RequestConfig, SingleTableMixin

from . import caching, dashboards, exports, filters, forms, queries, services, tables
from .models import METRICS, Region
from .tables import ALLOWED_PER_PAGE, DEFAULT_PER_PAGE

logger = logging.getLogger(__name__)


# --- Overview and operation dashboards (issue #4) -------------------------------------------------------------


class OverviewView(TemplateView):
    """The landing page: totals, series per year and region, a map and a ranking of countries, the latest
    operations; filtered by year range and region (an invalid filter shows its error and no figures)."""

    template_name = "operations/home.html"

    def get(self, request, *args, **kwargs):
        self.form = dashboards.OverviewFilterForm(request.GET)
        if request.GET.get("_export") is not None:
            return self.export_package(request)
        response = super().get(request, *args, **kwargs)
        if not self.form.is_valid():
            # As the lists answer an invalid filter: 400, the page showing the form's errors and no figures. The
            # status is set on every request (the refused page is never cached), so no cached hit can answer 200.
            response.status_code = 400
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = self.form
        context["form"] = form
        context.update(caching.fragment_context(self.request))
        context["printed_at"] = timezone.now()
        if form.is_valid():
            # Lazily: when the page's fragment is cached ({% cache %} in home.html), these are never even unpickled.
            compute = partial(self.figures_and_charts, form.cleaned_data)
            context.update(caching.lazily_cached("overview", self.request, compute, self.computed_keys))
            context["map_label"] = dashboards.choice_label(form.cleaned_data["map"])
            context["top_key"] = form.cleaned_data["top"]
            context["top_label"] = dashboards.choice_label(form.cleaned_data["top"])
            context["metrics"] = METRICS
            context["region_label"] = dict(Region.choices).get(form.cleaned_data["region"], "")
        return context

    computed_keys = ("overview", "charts", "top_countries")

    def export_package(self, request):
        """`?_export=package`: the data package of the operations the overview's filters select (as the lists)."""
        if not request.user.has_perm(ExportMixin.export_permission):
            raise PermissionDenied
        if request.GET["_export"] != "package" or not self.form.is_valid():
            return render(
                request,
                "operations/export_refused.html",
                {
                    "message": _("The filters are not valid, so nothing was exported. Correct them on the page first.")
                    if request.GET["_export"] == "package"
                    else _("This page cannot be exported as “%(format)s”.") % {"format": request.GET["_export"]},
                    "errors": self.form.errors,
                    "back_url": request.path,
                },
                status=400,
            )
        filters = self.form.cleaned_data
        operations = queries.filtered_operations(
            year_from=filters["year_from"], year_to=filters["year_to"], region=filters["region"]
        )
        used = [(key, value) for key, value in request.GET.items() if key in self.form.fields and value]
        query = {key: values for key, values in request.GET.lists() if key != "_export"}
        return package_response(request, operations, used, query)

    @staticmethod
    def figures_and_charts(filters):
        """What the data and the filters decide (cached under the data version): totals, series, charts, ranking."""
        overview = queries.overview(filters)
        return {
            "overview": overview,
            "charts": dashboards.overview_charts(overview, map_key=filters["map"], zoom=bool(filters["region"])),
            "top_countries": overview.top_countries(filters["top"]),
        }


class OperationDashboardView(TemplateView):
    """One operation at a glance: headline figures with their sources, per-country breakdown, map, sources."""

    template_name = "operations/operation_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(caching.fragment_context(self.request))
        slug = self.kwargs["slug"]
        name = caching.cached("dashboard-title", self.request, partial(queries.operation_name, slug))
        if name is None:
            raise Http404("No such operation.")
        form = dashboards.MapChoiceForm(self.request.GET)
        chosen_map = form.cleaned_data["map"] if form.is_valid() else ""
        # Lazily: when the page's fragment is cached ({% cache %} in operation_detail.html), none of this is loaded.
        computed = caching.lazily_cached(
            "dashboard", self.request, partial(self.figures_and_charts, chosen_map), self.computed_keys
        )
        context.update(
            computed,
            operation_name=name,
            metrics=METRICS,
            map_form=form,
            results_url=f"{reverse('operations:result_list')}?{urlencode({'operation': slug})}",
            compare_url=f"{reverse('operations:compare')}?{urlencode({'operations': slug})}",
            export_url=f"{reverse('operations:result_list')}?{urlencode({'operation': slug, '_export': 'csv'})}",
            can_export=self.request.user.has_perm("operations.export_figures"),
            printed_at=timezone.now(),
        )
        return context

    computed_keys = (
        "dashboard",
        "operation",
        "map_key",
        "map_label",
        "world_map",
        "unmappable",
        "bar_charts",
        "last_correction",
    )

    def figures_and_charts(self, chosen_map):
        """What the data decides (cached under the data version): the dashboard, its map and bar charts; None when
        no operation has the slug."""
        dashboard = queries.operation_dashboard(self.kwargs["slug"])
        if dashboard is None:
            return None
        map_key = chosen_map or dashboards.default_map_key(dashboard)
        # Cached with the rest: a correction is a write, and every write renews the data version.
        correction = queries.latest_correction_of(dashboard.operation)
        return {
            "last_correction": correction and {"when": correction[0], "who": correction[1]},
            "dashboard": dashboard,
            "operation": dashboard.operation,
            "map_key": map_key,
            "map_label": dashboards.choice_label(map_key),
            "world_map": dashboards.operation_map(dashboard, map_key),
            "unmappable": dashboards.unmappable_countries([row.country for row in dashboard.countries]),
            "bar_charts": dashboards.breakdown_charts(dashboard),
        }


# --- Export of any filtered table (issue #6): mixed into FilteredTableView ------------------------------------


def package_response(request, operations, filters, query):
    """The data package of `operations` as a streamed zip download, logged as the table exports are."""
    log = services.start_export_log(
        user=request.user, table="dataset", path=request.path, export_format="zip", query=query
    )
    filename = exports.export_filename("dataset", filters, "zip", timezone.localdate())
    return exports.package_response(operations, filename, on_finish=partial(services.finish_export_log, log))


class ExportMixin:
    """`?_export=csv` or `?_export=xlsx` on a filtered table: every row matching the current filters, in the table's
    sort order (all pages), for users with the export permission; anyone else gets 403. Each export is logged.

    Mixed into FilteredTableView (SingleTableMixin + FilterView); a list names its columns with `export_spec`."""

    export_trigger_param = "_export"
    # "package": the data package (operations/datapackage.py) of the operations the filters select, as a zip.
    export_formats = ("csv", "xlsx", "package")
    export_permission = "operations.export_figures"
    export_spec: exports.ExportSpec | None = None
    # Query parameters that choose how rows are shown or written, not which: left out of the file name.
    export_control_params = {"sort", "page", "per_page", "_export", "_bom"}

    def dispatch(self, request, *args, **kwargs):
        export_format = request.GET.get(self.export_trigger_param)
        if export_format is None or request.method != "GET":
            return super().dispatch(request, *args, **kwargs)
        return self.export(request, export_format)

    def export(self, request, export_format):
        if not request.user.has_perm(self.export_permission):
            raise PermissionDenied
        if export_format not in self.export_formats or self.export_spec is None:
            return self.refuse_export(_("This table cannot be exported as “%(format)s”.") % {"format": export_format})
        self.filterset = None
        if hasattr(self, "get_filterset_class"):  # a FilterView; a fixed table (a country's page) has no filters
            self.filterset = self.get_filterset(self.get_filterset_class())
            if self.filterset.is_bound and not self.filterset.is_valid():
                return self.refuse_export(
                    _("The filters are not valid, so nothing was exported. Correct them on the table page first."),
                    errors=self.filterset.errors,
                )
            self.object_list = self.filterset.qs
        if export_format == "package":
            return package_response(
                request,
                queries.operations_selected_by(self.get_package_rows()),
                self.get_export_filters(),
                {key: values for key, values in request.GET.lists() if key != self.export_trigger_param},
            )
        queryset = self.get_export_queryset()
        filename = exports.export_filename(
            self.get_export_name(), self.get_export_filters(), export_format, timezone.localdate()
        )
        if export_format == "xlsx":
            rows = queryset.count()
            limit = exports.xlsx_max_rows()
            if rows > limit:
                return self.refuse_export(
                    _(
                        "These filters match %(rows)s rows; XLSX exports stop at %(limit)s. Narrow the filters, or "
                        "export CSV, which has no row limit."
                    )
                    % {"rows": intcomma(rows), "limit": intcomma(limit)},
                    csv_url=self.export_url("csv"),
                )
        log = services.start_export_log(
            user=request.user,
            table=self.export_spec.name,
            path=request.path,
            export_format=export_format,
            query={key: values for key, values in request.GET.lists() if key != self.export_trigger_param},
        )
        on_finish = partial(services.finish_export_log, log)
        if export_format == "xlsx":
            return exports.xlsx_response(self.export_spec, queryset, filename, on_finish=on_finish)
        bom = request.GET.get("_bom") != "0"
        return exports.csv_response(self.export_spec, queryset, filename, bom=bom, on_finish=on_finish)

    def get_export_queryset(self):
        """The filtered rows in the table's order: the table is built on them and sorted by `?sort=` exactly as the
        page does (its order_by and order_FOO methods), without paginating and without the footer totals (the export
        spec, not the table, chooses the columns)."""
        table = self.get_table_class()(data=self.get_table_data())
        RequestConfig(self.request, paginate=False).configure(table)
        return table.data.data

    def get_export_name(self) -> str:
        return self.export_spec.name

    def get_package_rows(self):
        """The filtered rows (before the table's annotations) whose operations make the data package."""
        return self.object_list

    def get_export_filters(self) -> list[tuple[str, str]]:
        """The filters in the query string that the filterset knows (a range widget's `name_min` counts as `name`),
        with a value, in query-string order: they go into the file name."""
        if self.filterset is None:
            return []
        fields = self.filterset.form.fields
        pairs = []
        for key, values in self.request.GET.lists():
            if key in self.export_control_params or (key not in fields and key.rsplit("_", 1)[0] not in fields):
                continue
            pairs += [(key, value) for value in values if value.strip()]
        return pairs

    def export_url(self, export_format: str) -> str:
        query = self.request.GET.copy()
        query[self.export_trigger_param] = export_format
        return f"{self.request.path}?{query.urlencode()}"

    def refuse_export(self, message, *, errors=None, csv_url=None):
        return render(
            self.request,
            "operations/export_refused.html",
            {"message": message, "errors": errors, "csv_url": csv_url, "back_url": self.table_url()},
            status=400,
        )

    def table_url(self) -> str:
        query = self.request.GET.copy()
        query.pop(self.export_trigger_param, None)
        query.pop("_bom", None)
        return f"{self.request.path}?{query.urlencode()}" if query else self.request.path


# --- Browsing: filterable, sortable tables and comparison (issue #3) -------------------------------------------


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
_NO_VALUE = (None, "", [], ())


class _GroupedCount(int):
    """A row count that chooses the plural form as a number and prints with the locale's grouping ("1 234")."""

    def __str__(self):
        return intcomma(int(self))


class ResultListView(FilteredTableView):
    title = _("Results by country")
    count_text = ngettext_lazy("%(count)s result", "%(count)s results", "count")
    filterset_class = filters.ResultFilter
    table_class = tables.ResultTable
    export_spec = exports.RESULTS

    totals_count_rows = True

    def get_queryset(self):
        return queries.results_for_filtering()

    def get_rows(self, queryset):
        return queries.result_rows(queryset)

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
        return queries.result_rows(queries.country_results(self.country))

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
            % {"count": intcomma(count)},
        )
        return context


class CompareView(TemplateView):
    """2 to 4 operations side by side: the same metrics in the same rows, missing shown as missing, sources cited."""

    template_name = "operations/compare.html"

    def get(self, request, *args, **kwargs):
        self.find_form = forms.FindOperationsForm(request.GET)
        find = self.find_form.cleaned_data["find"] if self.find_form.is_valid() else ""
        chosen = request.GET.getlist("operations")
        # The operations the selection lists, loaded only when it is rendered (not for a cached page).
        self.listing = SimpleLazyObject(
            lambda: dict(zip(("shown", "matching"), queries.compare_choices(find, chosen), strict=True))
        )
        # Find narrows the list and keeps what is chosen; only the Compare button asks for a comparison.
        comparing = "operations" in request.GET and "find" not in request.GET
        self.form = forms.CompareForm(
            request.GET if comparing else None, initial={"operations": chosen}, shown=lambda: self.listing["shown"]
        )
        # Shown unbound when valid, with what was asked as initial values: a bound field without errors would be
        # drawn green ("valid") by django-bootstrap5, which no other form here does.
        self.shown_forms = {
            "form": self.form
            if self.form.errors
            else forms.CompareForm(initial={"operations": chosen}, shown=lambda: self.listing["shown"]),
            "find_form": self.find_form if self.find_form.errors else forms.FindOperationsForm(initial={"find": find}),
        }
        response = super().get(request, *args, **kwargs)
        if (self.form.is_bound and not self.form.is_valid()) or not self.find_form.is_valid():
            response.status_code = 400
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.shown_forms)
        context["listing"] = self.listing
        context["shown_limit"] = queries.COMPARE_CHOICES_SHOWN
        context.update(caching.fragment_context(self.request))
        if self.form.is_bound and self.form.is_valid():
            # Loaded when the page's {% cache %} fragment is rendered, not when it comes from the cache.
            context["comparison"] = SimpleLazyObject(partial(queries.comparison, self.form.cleaned_data["operations"]))
        return context


# --- Export and data dictionary (issue #6) ---------------------------------------------------------------------


class DataDictionaryView(TemplateView):
    """/about/data/: every export column, metric and qualifier, generated from the export specs, METRICS and
    Qualifier so the page cannot drift from the files."""

    template_name = "operations/data_dictionary.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **exports.data_dictionary()}


# --- Operations endpoints ----------------------------------------------------------------------------------------


@login_not_required
@never_cache
def healthz(request):
    """For load balancers: 200 when the database answers, 503 when it does not. Says nothing else."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # any database failure means "unhealthy"; the details go to the log, not to the caller
        logger.exception("health check failed")
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


# --- Error pages: friendly, leak nothing, carry the request id for support ------------------------------------

_ERRORS = {
    400: (_("Bad request"), _("The request could not be understood. Check the address or the values you entered.")),
    403: (_("Access denied"), _("Your account does not have permission for this page. Ask an administrator.")),
    404: (_("Page not found"), _("There is nothing at this address. It may have been moved, or the link is wrong.")),
    500: (_("Something went wrong"), _("The error has been logged. Please try again; if it persists, report it.")),
}


def _error_page(request, status):
    title, text = _ERRORS[status]
    return render(request, "error_page.html", {"error_title": title, "error_text": text}, status=status)


def bad_request(request, exception=None):
    return _error_page(request, 400)


def permission_denied(request, exception=None):
    return _error_page(request, 403)


def page_not_found(request, exception=None):
    return _error_page(request, 404)


def server_error(request):
    return _error_page(request, 500)
