"""Reported figures and country rows edited on their own (most editing happens in the operation's form)."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .. import services
from ..models import METRICS, Participation, ReportedFigure
from .columns import figure_column
from .forms import ReportedFigureForm
from .mixins import AtomicRevert, FirstVersionOnHistoryPage, SafeAutocompleteFields, SuperuserDeletes


@admin.register(ReportedFigure)
class ReportedFigureAdmin(
    FirstVersionOnHistoryPage, SafeAutocompleteFields, SuperuserDeletes, AtomicRevert, SimpleHistoryAdmin
):
    """Every value each source gives, with its history (restore an earlier version from there)."""

    form = ReportedFigureForm
    list_display = ["operation", "country", "metric", "shown", "source", "is_preferred", "origin", "updated_at"]
    list_filter = ["metric", "qualifier", "is_preferred", "origin"]
    show_facets = admin.ShowFacets.ALWAYS
    search_fields = ["operation__name", "participation__country__name", "source__publisher", "stated_as", "quote"]
    autocomplete_fields = ["operation", "participation", "source"]
    list_select_related = ["operation", "participation__country", "source"]
    readonly_fields = ["origin", "updated_by", "updated_at"]
    actions = ["make_preferred"]

    def changelist_view(self, request, extra_context=None):
        if Participation.objects.filter(imported_at__isnull=False).exists():
            # The figures an unattended import keeps on its country rows (services.implicit) are not rows yet.
            extra_context = {
                **(extra_context or {}),
                "subtitle": _(
                    "The figures of country rows an unattended spreadsheet import wrote are kept on those rows; they"
                    " are listed here once their operation's page has been opened in the admin."
                ),
            }
        return super().changelist_view(request, extra_context)

    @admin.display(description=_("country"), ordering="participation__country__name")
    def country(self, figure):
        return figure.participation.country if figure.participation_id else "—"

    @admin.display(description=_("figure"), ordering="value")
    def shown(self, figure):
        return str(figure.as_figure())

    @admin.action(description=_("Make the selected values preferred"), permissions=["change"])
    def make_preferred(self, request, queryset):
        try:
            count = services.make_preferred(queryset.select_related("operation"))
        except ValidationError as error:
            self.message_user(request, error.message, messages.ERROR)
            return
        self.message_user(request, _("%(count)d value(s) made preferred.") % {"count": count})

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
        services.figures_changed(obj.operation)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        services.figures_changed(obj.operation)

    def delete_queryset(self, request, queryset):
        services.delete_reported_figures(queryset)


@admin.register(Participation)
class ParticipationAdmin(
    FirstVersionOnHistoryPage, SafeAutocompleteFields, SuperuserDeletes, AtomicRevert, SimpleHistoryAdmin
):
    list_display = ["operation", "country", "role", *[figure_column(metric) for metric in METRICS]]
    list_filter = ["role", "country__region"]
    search_fields = ["operation__name", "country__name", "country__iso2"]
    autocomplete_fields = ["operation", "country", "source"]
    list_select_related = ["operation", "country"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.figures_changed(obj.operation)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        services.figures_changed(obj.operation)
