"""The operation admin: the form with headline figures, its country rows and reported values as inlines."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .. import services
from ..models import METRICS, Operation, Participation, ReportedFigure
from .columns import coordinator_column, figure_column
from .forms import (
    FIGURE_FIELD_NAMES,
    OperationForm,
    ParticipationForm,
    ParticipationFormSet,
    ReportedFigureForm,
    ReportedFigureFormSet,
)
from .mixins import AtomicRevert, LabelledTabularFields, SafeAutocompleteFields, SuperuserDeletes
from .pages import OperationPages


class ParticipationInline(LabelledTabularFields, SafeAutocompleteFields, SuperuserDeletes, admin.TabularInline):
    model = Participation
    form = ParticipationForm
    formset = ParticipationFormSet
    fields = ["country", "role", *FIGURE_FIELD_NAMES, "notes"]
    autocomplete_fields = ["country"]
    extra = 1

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("country")


class ReportedFigureInline(LabelledTabularFields, SafeAutocompleteFields, SuperuserDeletes, admin.TabularInline):
    model = ReportedFigure
    form = ReportedFigureForm
    formset = ReportedFigureFormSet
    fields = [
        "participation",
        "metric",
        "value",
        "qualifier",
        "stated_as",
        "source",
        "is_preferred",
        "quote",
        "note",
        "origin",
    ]
    readonly_fields = ["origin"]
    autocomplete_fields = ["source"]
    extra = 0
    # Ten columns that scroll in their own box: closed until wanted (Django opens it when a row has an error), so the
    # form reads as the operation and its countries, with the values behind each figure one click away.
    classes = ["collapse"]
    verbose_name_plural = _("reported figures (every value each source gives; the preferred one is shown)")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("participation__country", "source")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        field = formset.form.base_fields.get("participation")
        if field is not None:
            field.queryset = (
                Participation.objects.filter(operation=obj).select_related("operation", "country")
                if obj is not None and obj.pk
                else Participation.objects.none()
            )
            field.label_from_instance = lambda participation: str(participation.country)
            field.empty_label = _("(operation-wide)")
        return formset


# The bodies that coordinate operations, as the free-text `coordinator` names them ("INTERPOL; OCUs in Hanoi ...").
# A filter over the raw text would list every distinct sentence; these are what an editor filters by.
COORDINATING_BODIES = ("INTERPOL", "Europol", "Frontex", "AFRIPOL", "IOM", "UNODC")


class CoordinatorFilter(admin.SimpleListFilter):
    title = _("coordinator")
    parameter_name = "coordinator"

    def lookups(self, request, model_admin):
        return [*((body, body) for body in COORDINATING_BODIES), ("other", _("other or not stated"))]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "other":
            for body in COORDINATING_BODIES:
                queryset = queryset.exclude(coordinator__icontains=body)
            return queryset
        if value in COORDINATING_BODIES:
            return queryset.filter(coordinator__icontains=value)
        return queryset


@admin.register(Operation)
class OperationAdmin(OperationPages, SafeAutocompleteFields, SuperuserDeletes, AtomicRevert, SimpleHistoryAdmin):
    form = OperationForm
    inlines = [ParticipationInline, ReportedFigureInline]
    list_display = ["name", "year", coordinator_column, *[figure_column(metric) for metric in METRICS], "is_verified"]
    list_filter = [
        CoordinatorFilter,
        ("participations__country__region", admin.ChoicesFieldListFilter),
        "year",
        "exploitation_forms",
        "is_verified",
    ]
    show_facets = admin.ShowFacets.ALWAYS
    search_fields = ["name", "coordinator", "area", "summary", "participations__country__name"]
    date_hierarchy = "start_date"
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["sources", "exploitation_forms", "facts_source"]
    list_per_page = 50
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "slug",
                    "coordinator",
                    "area",
                    ("start_date", "end_date"),
                    ("year", "date_precision"),
                    "countries_reported",
                    "command_centres",
                    ("is_single_country", "is_verified"),
                ]
            },
        ),
        (
            _("Headline figures"),
            {
                "fields": [*FIGURE_FIELD_NAMES, "figures_source"],
                "description": _(
                    "Type figures as the source states them. A changed figure becomes the preferred value; the previous"
                    " one is kept under “Reported figures”. Per-country figures go in the country rows below."
                ),
            },
        ),
        (
            _("Exploitation and sources"),
            {"fields": ["exploitation_forms", "exploitation_text", "facts_source", "sources"]},
        ),
        (_("Description"), {"fields": ["summary", "notes"]}),
        (_("This change"), {"fields": ["change_reason", "edit_token"]}),
    ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # The figure inline lists stored rows: the figures an unattended import kept on its country rows become rows
        # first (services.implicit), as they would before any write.
        if str(object_id).isdigit():
            services.materialize_reports([int(object_id)])
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        if change:
            current = form.current_version if form.current_version is not None else obj.version
            obj.version = current + 1
        obj._change_reason = form.cleaned_data.get("change_reason") or None
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        reason = form.cleaned_data.get("change_reason") or None
        instances = formset.save(commit=False)
        for deleted in formset.deleted_objects:
            deleted._change_reason = reason
            deleted.delete()
        # Unticked preferred values first, so the one-preferred-per-figure constraint holds after every statement.
        for instance in sorted(instances, key=lambda item: bool(getattr(item, "is_preferred", False))):
            instance._change_reason = reason
            if isinstance(instance, ReportedFigure):
                instance.updated_by = request.user
            instance.save()
        formset.save_m2m()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        operation = form.instance
        entries = [(None, metric, figure) for metric, figure in operation._changed_figures.items()]
        for formset in formsets:
            if formset.model is Participation:
                for row in formset.forms:
                    if row.instance.pk and not formset._should_delete_form(row):
                        entries += [(row.instance, m, f) for m, f in getattr(row, "changed_figures", {}).items()]
        services.enter_figures(
            operation,
            entries,
            source=form.cleaned_data.get("figures_source"),
            user=request.user,
            change_reason=form.cleaned_data.get("change_reason") or "",
        )

    def delete_model(self, request, obj):
        obj._change_reason = "deleted in the admin"
        super().delete_model(request, obj)
