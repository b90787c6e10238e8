"""The admin site: Django's, restricted to the people who enter figures (Editors and superusers)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _


class TrackerAdminSite(admin.AdminSite):
    site_header = _("Trafficking Operations Tracker: administration")
    site_title = _("Tracker admin")
    index_title = _("Enter and correct figures")

    def has_permission(self, request):
        """Staff status alone is not enough: Analysts and the Staff (export) group only read the public pages, even
        if someone ticks "staff status" on their account. Editors are recognised by the permission they hold."""
        user = request.user
        return user.is_active and user.is_staff and (user.is_superuser or user.has_perm("operations.change_operation"))
