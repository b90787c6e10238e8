"""Thin views: each picks its queryset (from queries.py), its table or filterset, and its template."""

import logging

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.generic import ListView

from . import queries


class HomeView(ListView):
    """The operations with their headline figures: the landing page after login."""

    template_name = "operations/home.html"
    context_object_name = "operations"

    def get_queryset(self):
        return queries.operations_with_headline_figures()


@login_not_required
@never_cache
def healthz(request):
    """For load balancers: 200 when the database answers, 503 when it does not. Says nothing else."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # any database failure means "unhealthy"; the details go to the log, not to the caller
        logging.getLogger(__name__).exception("health check failed")
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})
