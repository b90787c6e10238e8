"""The health check and the error pages (friendly, leak nothing, carry the request id for support)."""

import logging

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)


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
