"""Thin views: each picks its queryset (from queries.py), its table or filterset, and its template."""

import logging

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import Http404, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from . import dashboards, queries
from .models import METRICS, Region

logger = logging.getLogger(__name__)


class NotBuiltYet(TemplateView):
    """Placeholder for a page whose issue is still open: 404 rather than a half-page."""

    def get(self, request, *args, **kwargs):
        raise Http404("This page is not built yet.")


# --- Overview and operation dashboards (issue #4) -------------------------------------------------------------


class OverviewView(TemplateView):
    """The landing page: totals, series per year and region, a map and a ranking of countries, the latest
    operations; filtered by year range and region (an invalid filter shows its error and no figures)."""

    template_name = "operations/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = dashboards.OverviewFilterForm(self.request.GET)
        context["form"] = form
        context["printed_at"] = timezone.now()
        if form.is_valid():
            overview = queries.overview(form.cleaned_data)
            context["overview"] = overview
            context["charts"] = dashboards.overview_charts(
                overview, map_key=form.cleaned_data["map"], zoom=bool(form.cleaned_data["region"])
            )
            context["map_label"] = dashboards.choice_label(form.cleaned_data["map"])
            context["top_key"] = form.cleaned_data["top"]
            context["top_label"] = dashboards.choice_label(form.cleaned_data["top"])
            context["top_countries"] = overview.top_countries(form.cleaned_data["top"])
            context["metrics"] = METRICS
            context["region_label"] = dict(Region.choices).get(form.cleaned_data["region"], "")
        return context


class OperationDashboardView(TemplateView):
    """One operation at a glance: headline figures with their sources, per-country breakdown, map, sources."""

    template_name = "operations/operation_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        dashboard = queries.operation_dashboard(self.kwargs["slug"])
        if dashboard is None:
            raise Http404("No such operation.")
        form = dashboards.MapChoiceForm(self.request.GET)
        map_key = form.cleaned_data["map"] if form.is_valid() else ""
        map_key = map_key or dashboards.default_map_key(dashboard)
        slug = dashboard.operation.slug
        context.update(
            dashboard=dashboard,
            operation=dashboard.operation,
            metrics=METRICS,
            map_form=form,
            map_key=map_key,
            map_label=dashboards.choice_label(map_key),
            world_map=dashboards.operation_map(dashboard, map_key),
            unmappable=dashboards.unmappable_countries([row.country for row in dashboard.countries]),
            bar_charts=[
                (breakdown, dashboards.breakdown_chart(dashboard, breakdown))
                for breakdown in dashboard.charted_breakdowns
            ],
            results_url=f"{reverse('operations:result_list')}?{urlencode({'operation': slug})}",
            compare_url=f"{reverse('operations:compare')}?{urlencode({'operations': slug})}",
            export_url=f"{reverse('operations:result_list')}?{urlencode({'operation': slug, '_export': 'csv'})}",
            can_export=self.request.user.has_perm("operations.export_figures"),
            printed_at=timezone.now(),
        )
        return context


# --- Browsing: filterable, sortable tables and comparison (issue #3) -------------------------------------------


class OperationListView(NotBuiltYet):
    pass


class ResultListView(NotBuiltYet):
    pass


class CountryListView(NotBuiltYet):
    pass


class CountryDetailView(NotBuiltYet):
    pass


class CompareView(NotBuiltYet):
    pass


# --- Export and data dictionary (issue #6) ---------------------------------------------------------------------


class DataDictionaryView(NotBuiltYet):
    pass


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
