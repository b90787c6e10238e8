"""The overview (home page) and an operation's dashboard."""

from functools import partial

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from .. import caching, dashboards, queries
from ..models import METRICS, Region
from .export import ExportMixin, package_response

# --- Overview and operation dashboards (issue #4) -------------------------------------------------------------


class OverviewView(TemplateView):
    """The landing page: totals, series per year and region, a map and a ranking of countries, the latest
    operations; filtered by year range and region (an invalid filter shows its error and no figures)."""

    template_name = "operations/home.html"

    def get(self, request, *args, **kwargs):
        self.filterset = dashboards.OverviewFilter(request.GET)
        self.form = self.filterset.form
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
            # Computed only when the page's fragment ({% cache %} in home.html) is not cached.
            compute = partial(self.figures_and_charts, self.filterset.qs, form.cleaned_data)
            context.update(caching.on_first_use(compute, self.computed_keys))
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
        operations = self.filterset.qs
        used = [(key, value) for key, value in request.GET.items() if key in self.form.fields and value]
        query = {key: values for key, values in request.GET.lists() if key != "_export"}
        return package_response(request, operations, used, query)

    @staticmethod
    def figures_and_charts(operations, filters):
        """What the data and the filters decide (the page's cached fragment shows it): totals, series, charts,
        ranking."""
        years_filtered = filters["year_from"] is not None or filters["year_to"] is not None
        overview = queries.overview(operations, region=filters["region"], years_filtered=years_filtered)
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
        # Computed only when the page's fragment ({% cache %} in operation_detail.html) is not cached.
        computed = caching.on_first_use(partial(self.figures_and_charts, chosen_map), self.computed_keys)
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
        """What the data decides (the page's cached fragment shows it): the dashboard, its map and bar charts; None
        when no operation has the slug."""
        dashboard = queries.operation_dashboard(self.kwargs["slug"])
        if dashboard is None:
            return None
        map_key = chosen_map or dashboards.default_map_key(dashboard)
        # In the cached fragment with the rest: a correction is a write, and every write renews the data version.
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
