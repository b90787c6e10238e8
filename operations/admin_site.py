"""The admin site: Django's, restricted to the people who enter figures (Editors and superusers), with the checks of
crafted URLs that Django's admin does not make itself."""

import functools

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import BadRequest, ValidationError
from django.http import Http404
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# The largest year a date-hierarchy link can ask for: the admin computes the end of the period (the next year, month
# or day) with Python's datetime, whose last year is 9999.
MAX_HIERARCHY_YEAR = 9998
# PostgreSQL's bigint: a larger id cannot be looked up (SQLite's driver overflows on it).
MAX_ID = 2**63 - 1


class TrackerAdminSite(admin.AdminSite):
    site_header = _("Trafficking Operations Tracker: administration")
    site_title = _("Tracker admin")
    index_title = _("Enter and correct figures")

    def has_permission(self, request):
        """Staff status alone is not enough: Analysts and the Staff (export) group only read the public pages, even
        if someone ticks "staff status" on their account. Editors are recognised by the permission they hold."""
        user = request.user
        return user.is_active and user.is_staff and (user.is_superuser or user.has_perm("operations.change_operation"))

    def admin_view(self, view, cacheable=False):
        """Every admin view (Django's, simple_history's, ours) behind `check_crafted_request`: each URL it refuses
        made the admin answer 500."""
        wrapped = super().admin_view(view, cacheable)
        model_admin = getattr(view, "__self__", None)

        @functools.wraps(wrapped)
        def checked(request, *args, **kwargs):
            ids = dict(kwargs)
            if len(args) == 2 and view.__name__ == "history_form_view":  # simple_history's URL passes them by position
                ids.update(object_id=args[0], version_id=args[1])
            check_crafted_request(request, ids, model_admin)
            return wrapped(request, *args, **kwargs)

        return checked


def check_crafted_request(request, kwargs, model_admin):
    """400 for a NUL anywhere in the address (PostgreSQL refuses it in a query: list filters, autocomplete), a
    `_to_field` that is no field name (empty, "+"), or a date-hierarchy year past MAX_HIERARCHY_YEAR; 404 for an
    object or history id that is no id."""
    if "\x00" in request.path or any("\x00" in key + "".join(values) for key, values in request.GET.lists()):
        raise BadRequest(gettext("The address contains a NUL character."))
    to_field = request.GET.get("_to_field", request.POST.get("_to_field"))
    # A field's name is an identifier; "+" names the reverse relations hidden with related_name="+", on which
    # Django's to_field_allowed() raises AttributeError.
    if to_field is not None and not to_field.isidentifier():
        raise BadRequest(gettext("The address names no field to refer to."))
    hierarchy = getattr(model_admin, "date_hierarchy", None)
    if hierarchy and request.GET.get(f"{hierarchy}__year"):
        try:
            year = int(request.GET[f"{hierarchy}__year"])
        except ValueError:
            year = None  # not a number: the admin refuses it itself
        if year is not None and not 1 <= year <= MAX_HIERARCHY_YEAR:
            raise BadRequest(gettext("Choose a year between 1 and %(year)s.") % {"year": MAX_HIERARCHY_YEAR})
    if "version_id" in kwargs and not _is_id(kwargs["version_id"]):
        raise Http404
    if "object_id" in kwargs and model_admin is not None and to_field is None:
        try:
            pk = model_admin.model._meta.pk.to_python(unquote(kwargs["object_id"]))
        except ValidationError:
            raise Http404 from None
        if isinstance(pk, int) and not 0 <= pk <= MAX_ID:
            raise Http404


def _is_id(text) -> bool:
    return text.isascii() and text.isdigit() and int(text) <= MAX_ID
