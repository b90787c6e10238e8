"""App configuration for the operations app."""

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class OperationsConfig(AppConfig):
    default = True
    name = "operations"
    verbose_name = _("Trafficking operations")

    def ready(self):
        from . import signals  # noqa: F401  (connects the kept-totals receivers)


class TrackerAdminConfig(admin_apps.AdminConfig):
    """Django's admin with the tracker's site: only editors and superusers get in (see admin_site.py)."""

    default = False  # operations.apps' default config is OperationsConfig; settings name this one explicitly
    default_site = "operations.admin_site.TrackerAdminSite"
