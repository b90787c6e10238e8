"""The operation admin's extra pages: the spreadsheet import (upload, preview, confirm) and deleted operations."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from .. import importing, queries, services
from ..drafting.views import DraftFromSource
from ..importing import uploads
from ..models import Operation
from .forms import ImportForm

# The words of simple_history's history pages (its templates and views look them up by these msgids): it ships no
# Spanish catalogue, so they are translated in the project's.
SIMPLE_HISTORY_WORDS = (
    gettext_noop("Choose a date from the list below to revert to a previous version of this object."),
    gettext_noop("This object doesn't have a change history."),
    gettext_noop("Object"),
    gettext_noop("Date/time"),
    gettext_noop("Comment"),
    gettext_noop("Changed by"),
    gettext_noop("Change reason"),
    gettext_noop("Changes"),
    gettext_noop("Revert %s"),
    gettext_noop("View %s"),
    gettext_noop("Revert %(verbose_name)s"),
    gettext_noop("View %(verbose_name)s"),
    gettext_noop("Press the 'Revert' button below to revert to this version of the object."),
    gettext_noop("Press the 'Change History' button below to edit the history."),
    gettext_noop("Revert"),
    gettext_noop("Change History"),
    gettext_noop("Close"),
)


class OperationPages:
    """Mixed into OperationAdmin: its import and deleted-operations pages, under /admin/operations/operation/, and
    its list and form without the nav sidebar."""

    def get_urls(self):
        custom = [
            path("import/", self.admin_site.admin_view(self.import_view), name="operations_operation_import"),
            path("deleted/", self.admin_site.admin_view(self.deleted_view), name="operations_operation_deleted"),
            path("draft/", self.admin_site.admin_view(DraftFromSource(self)), name="operations_operation_draft"),
        ]
        return custom + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        # Nine columns and the filters beside them need the page's width at 1280 px: the app list (the nav sidebar)
        # stays one click away, on every other admin page, and in the breadcrumbs.
        extra_context = {
            **(extra_context or {}),
            "can_import": self._can_import(request),
            "is_nav_sidebar_enabled": False,
        }
        return super().changelist_view(request, extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # The country rows (country, role, four figures, notes) fit the page's width at 1280 px without the sidebar.
        extra_context = {**(extra_context or {}), "is_nav_sidebar_enabled": False}
        return super().changeform_view(request, object_id, form_url, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # A past version is the same form, read-only or to revert to: the same width.
        extra_context = {**(extra_context or {}), "is_nav_sidebar_enabled": False}
        return super().history_form_view(request, object_id, version_id, extra_context)

    def _can_import(self, request):
        return self.has_add_permission(request) and self.has_change_permission(request)

    def import_view(self, request):
        """Upload → preview (nothing written) → confirm (all or nothing). A custom view over importing.py rather
        than django-import-export's: the same engine must serve `manage.py import_figures`, two related files
        (operations and country results) are validated together, and each figure cell is parsed into value +
        qualifier and written through services.py; import-export's per-model resources would split that in two."""
        if not self._can_import(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Import figures from spreadsheets"),
            "columns": importing.COLUMNS,
            "max_rows": importing.MAX_ROWS,
        }
        if request.method == "POST" and "confirm" in request.POST:
            token = request.POST.get("token", "")
            files = uploads.load_pending(token, request.session)
            if files is None:
                messages.error(request, _("This preview has expired or was already imported; upload the files again."))
                return redirect("admin:operations_operation_import")
            report = importing.import_files(*files, commit=True, user=request.user)
            if report.ok:
                uploads.discard_pending(token, request.session)
                messages.success(request, report.summary())
                return redirect("admin:operations_operation_changelist")
            context.update(report=report, form=ImportForm())
            return TemplateResponse(request, "admin/operations/operation/import.html", context, status=400)
        if request.method == "POST":
            form = ImportForm(request.POST, request.FILES)
            if form.is_valid():
                files = [
                    importing.UploadedTable(upload.name, upload.read())
                    for upload in (form.cleaned_data["operations_file"], form.cleaned_data["country_results_file"])
                    if upload
                ]
                if len(files) == 1 and form.cleaned_data["operations_file"] is None:
                    files = [None, *files]
                report = importing.import_files(*files, commit=False, user=request.user)
                if report.ok:
                    context["token"] = uploads.save_pending(files, request.session)
                context.update(report=report, form=ImportForm())
                return TemplateResponse(
                    request, "admin/operations/operation/import.html", context, status=200 if report.ok else 400
                )
        else:
            form = ImportForm()
        context["form"] = form
        return TemplateResponse(request, "admin/operations/operation/import.html", context)

    def deleted_view(self, request):
        """Operations deleted in the admin, from the history, with a button that restores each one with its
        countries and figures (superusers: they are the ones who can delete)."""
        if not request.user.is_superuser:
            raise PermissionDenied
        if request.method == "POST":
            try:
                operation_id = int(request.POST.get("operation", ""))
            except ValueError:
                operation_id = None
            if operation_id is None or Operation.objects.filter(pk=operation_id).exists():
                messages.error(request, _("Nothing to restore."))
            else:
                operation = services.restore_deleted_operation(operation_id, user=request.user)
                if operation is None:
                    messages.error(request, _("Nothing to restore."))
                else:
                    messages.success(
                        request, _("Restored %(name)s with its countries and figures.") % {"name": operation}
                    )
                    return redirect("admin:operations_operation_change", operation.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Deleted operations"),
            "deleted": queries.deleted_operations(),
        }
        return TemplateResponse(request, "admin/operations/operation/deleted.html", context)
