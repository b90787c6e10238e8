"""The admin where editors enter and correct figures: operations with their countries, figures and sources, history
with restore, undo of deletions, optimistic concurrency, and the spreadsheet import page."""

import datetime

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, OrderBy
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import importing, queries, services
from .countries import normalize_name
from .drafting.views import DraftFromSource
from .figures import Figure, FigureParseError
from .models import (
    METRICS,
    Country,
    CountryAlias,
    ExploitationForm,
    Operation,
    Participation,
    ReportedFigure,
    Source,
)

FIGURE_HELP = _("As the source states it: 700, nearly 700, about 4,000, 250+, more than 10,000. Empty: unknown.")
SOURCE_REQUIRED = _("A figure needs a source: choose the publication it was read in (or add it with the + button).")
NEGATIVE = _("A figure cannot be negative: it counts people or cases.")


def figure_field(metric):
    return f"figure_{metric.value}"


FIGURE_FIELD_NAMES = [figure_field(metric) for metric in METRICS]


class SuperuserDeletes:
    """Only superusers delete, whatever permissions a group is given: a deletion loses sourced data (it can be undone
    from the history, but nobody else should have to)."""

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


class AtomicRevert:
    """simple_history's revert view is not atomic like Django's change view. A revert writes the row and refreshes
    the preferred figures (both or neither), and the operation form's concurrency check locks the row with
    select_for_update, which PostgreSQL allows only inside a transaction."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        with transaction.atomic():
            return super().history_form_view(request, object_id, version_id, extra_context)


class KeyCheckingAutocomplete:
    """Django's autocomplete widgets look the posted values up by the related model's key to show a refused form
    again; a value the key cannot take ("BR" for a country id, a number past 64 bits, a NUL) raised there: a 500
    instead of the form with its errors (found by the deep fuzz run). Only values the key accepts are looked up; the
    form's own validation already reports the others."""

    def optgroups(self, name, value, attr=None):
        remote = self.field.remote_field
        opts = remote.model._meta
        key = opts.get_field(getattr(remote, "field_name", None) or opts.pk.name)
        accepted = []
        for item in value:
            try:
                if "\x00" not in str(item):
                    key.clean(item, None)  # to_python and the database's integer range
                    accepted.append(item)
            except ValidationError:
                pass
        return super().optgroups(name, accepted, attr)


class KeyCheckingAutocompleteSelect(KeyCheckingAutocomplete, AutocompleteSelect):
    pass


class KeyCheckingAutocompleteSelectMultiple(KeyCheckingAutocomplete, AutocompleteSelectMultiple):
    pass


class SafeAutocompleteFields:
    """`autocomplete_fields` with the widgets above."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = KeyCheckingAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = KeyCheckingAutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


# --- Figures typed as text -------------------------------------------------------------------------------------


class FigureFieldsForm(forms.ModelForm):
    """Base for forms with one text field per metric holding the preferred figure ("nearly 700").

    Parsing goes through Figure.parse, display through str(Figure); a changed figure is recorded by services.py as a
    new preferred report (the old one stays, as another source's value would)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for metric in METRICS:
                current = self.instance.figure(metric)
                self.initial.setdefault(figure_field(metric), str(current) if current.known else "")

    def clean_figures(self):
        """{metric: Figure} for every figure field (parsed), and the subset that changed; errors go on the field."""
        entered, changed = {}, {}
        for metric in METRICS:
            name = figure_field(metric)
            if name not in self.cleaned_data:
                continue  # already has an error
            try:
                figure = Figure.parse(self.cleaned_data[name])
            except FigureParseError as error:
                self.add_error(name, str(error))
                continue
            current = self.instance.figure(metric) if self.instance.pk else Figure(None)
            entered[metric.value] = figure
            if figure == current:
                continue
            if not figure.known:
                self.add_error(
                    name,
                    _(
                        "Emptying a sourced figure does not delete it: type the corrected figure, or ask a superuser to"
                        " delete the reported value under “Reported figures”."
                    ),
                )
                continue
            changed[metric.value] = figure
        return entered, changed


def _figure_form_base(name):
    """A FigureFieldsForm subclass with the per-metric fields declared (the admin needs them declared, not added in
    __init__), derived from the metric list."""
    attrs = {
        figure_field(metric): forms.CharField(
            label=capfirst(metric.label), required=False, max_length=60, help_text=FIGURE_HELP, strip=True
        )
        for metric in METRICS
    }
    return type(name, (FigureFieldsForm,), attrs)


# --- Operation ---------------------------------------------------------------------------------------------------


def _edit_token(operation):
    """The version the form was opened at and when: compared on save (optimistic concurrency)."""
    return f"{operation.version}|{timezone.now().isoformat()}"


class OperationForm(_figure_form_base("OperationFormBase")):
    figures_source = forms.ModelChoiceField(
        queryset=Source.objects.all(),
        required=False,
        label=_("Source of the figures entered here"),
        help_text=_("Required when you type or change a figure above or in a country's row below."),
    )
    change_reason = forms.CharField(
        label=_("Reason for the change"),
        required=False,
        max_length=100,
        help_text=_("Optional; kept in the history (“corrected after the agency's second release”)."),
    )
    edit_token = forms.CharField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Operation
        fields = "__all__"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["figures_source"].widget = KeyCheckingAutocompleteSelect(
            ReportedFigure._meta.get_field("source"), admin.site, choices=self.fields["figures_source"].choices
        )
        if self.instance.pk and not self.is_bound:
            # The version in the database now, not the instance's: a history "revert" form carries an old instance.
            current = Operation.objects.filter(pk=self.instance.pk).values_list("version", flat=True).first()
            self.instance.version = current if current is not None else self.instance.version
            self.initial["edit_token"] = _edit_token(self.instance)
        self.current_version = None

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date %(end)s is before the start date %(start)s.") % locals())
        if start and not cleaned.get("year"):
            cleaned["year"] = start.year
            self.instance.year = start.year
        entered, changed = self.clean_figures()
        source = cleaned.get("figures_source")
        if changed and source is None:
            self.add_error("figures_source", SOURCE_REQUIRED)
        # The inline formsets read these to validate country rows against the totals typed here.
        self.instance._entered_figures = entered
        self.instance._changed_figures = changed
        self.instance._figures_source = source
        if self.instance.pk:
            self._check_concurrent_edit()
        return cleaned

    def _check_concurrent_edit(self):
        """Refuse the save if someone else saved since this form was opened; say what they changed. The row is locked
        (PostgreSQL) until the admin's transaction commits, so two saves cannot both pass."""
        self.current_version = (
            Operation.objects.select_for_update().filter(pk=self.instance.pk).values_list("version", flat=True).first()
        )
        if self.current_version is None:
            return  # restoring a deleted operation from its history
        token = self.cleaned_data.get("edit_token") or ""
        try:
            seen, opened = token.split("|", 1)
            seen, opened = int(seen), datetime.datetime.fromisoformat(opened)
        except ValueError:
            seen, opened = -1, timezone.now() - datetime.timedelta(hours=1)
        if seen == self.current_version:
            return
        changes = queries.changes_since(self.instance, opened)
        lines = [text for _field, text in changes] or [str(_("(the changes were not recorded in the history)"))]
        self.add_error(
            None,
            forms.ValidationError(
                [
                    _(
                        "Someone saved this operation after you opened it, so your changes were NOT saved. What"
                        " changed meanwhile:"
                    ),
                    *lines,
                    _(
                        "Check the values below. Saving again replaces their values with yours; reload the page to"
                        " start from theirs."
                    ),
                ],
                code="concurrent_edit",
            ),
        )
        for field, text in changes:
            if field in self.fields:
                self.add_error(field, _("Changed meanwhile: %(change)s") % {"change": text})
        # Saving again after reading this is a deliberate choice, not a silent overwrite: accept it next time.
        data = self.data.copy()
        data[self.add_prefix("edit_token")] = f"{self.current_version}|{timezone.now().isoformat()}"
        self.data = data


class NullsLast(OrderBy):
    """Column ordering that keeps unknown figures last in both directions: the admin reverses an OrderBy for a
    descending sort, and Django's reverse_ordering() would turn nulls_last into nulls_first."""

    def reverse_ordering(self):
        self.descending = not self.descending
        return self


def _figure_column(metric):
    @admin.display(description=metric.label, ordering=NullsLast(F(metric.value), nulls_last=True))
    def column(operation):
        return operation.figure(metric).short()

    column.__name__ = metric.value
    return column


class ParticipationForm(_figure_form_base("ParticipationFormBase")):
    class Meta:
        model = Participation
        fields = ["country", "role", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 1, "cols": 30})}


class ParticipationFormSet(forms.BaseInlineFormSet):
    """Country rows: one row per country, figures with a source, and per-country sums within an exact total."""

    def clean(self):
        seen = {}
        rows = []
        source = getattr(self.instance, "_figures_source", None)
        for index, form in enumerate(self.forms, start=1):
            if not hasattr(form, "cleaned_data") or self._should_delete_form(form):
                continue
            country = form.cleaned_data.get("country")
            if country is not None:
                if country.pk in seen:
                    form.add_error(
                        "country",
                        _("%(country)s is already listed in this operation (row %(row)d).")
                        % {"country": country, "row": seen[country.pk]},
                    )
                else:
                    seen[country.pk] = index
            entered, changed = form.clean_figures()
            form.changed_figures = changed
            if changed and source is None:
                for metric in changed:
                    form.add_error(
                        f"figure_{metric}", _("Needs a source: choose “Source of the figures entered here” above.")
                    )
            rows.append((form, entered))
        totals = getattr(self.instance, "_entered_figures", None)
        if totals is None:
            totals = self.instance.figures if self.instance.pk else {}
        for excess in services.country_sum_excesses(totals, [entered for _form, entered in rows]):
            message = _("%(excess)s. Correct a country's figure, or mark the total as approximate (“nearly …”).") % {
                "excess": str(excess).capitalize()
            }
            for form, entered in rows:
                figure = entered.get(excess.metric.value)
                if figure is not None and figure.known:
                    form.add_error(f"figure_{excess.metric.value}", message)
        super().clean()


class ParticipationInline(SafeAutocompleteFields, SuperuserDeletes, admin.TabularInline):
    model = Participation
    form = ParticipationForm
    formset = ParticipationFormSet
    fields = ["country", "role", *FIGURE_FIELD_NAMES, "notes"]
    autocomplete_fields = ["country"]
    extra = 1

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("country")


class ReportedFigureForm(forms.ModelForm):
    """One reported value: value, qualifier and source (required), as the model stores it."""

    check_preferred_in_database = True

    class Meta:
        model = ReportedFigure
        fields = ["operation", "participation", "metric", "value", "qualifier", "source", "quote", "is_preferred"]
        error_messages = {"value": {"min_value": NEGATIVE}, "source": {"required": SOURCE_REQUIRED}}
        widgets = {"quote": forms.Textarea(attrs={"rows": 1, "cols": 30})}

    def validate_constraints(self):
        """The model's constraints, except one-preferred-per-figure: clean() (standalone) or the formset (inline)
        reports that one on the field, naming the other value; the database constraint still holds the line."""
        exclude = self._get_validation_exclusions() | {"is_preferred"}
        try:
            self.instance.validate_constraints(exclude=exclude)
        except ValidationError as error:
            self._update_errors(error)

    def clean(self):
        cleaned = super().clean()
        participation = cleaned.get("participation")
        operation = cleaned.get("operation") or getattr(self.instance, "operation", None)
        if participation is not None and operation is not None and participation.operation_id != operation.pk:
            self.add_error("participation", _("This country row belongs to another operation."))
        if self.check_preferred_in_database and cleaned.get("is_preferred") and operation is not None:
            other = (
                ReportedFigure.objects.filter(
                    operation=operation, participation=participation, metric=cleaned.get("metric"), is_preferred=True
                )
                .exclude(pk=self.instance.pk)
                .select_related("source")
                .first()
            )
            if other is not None:
                self.add_error(
                    "is_preferred",
                    _(
                        "This figure already has a preferred value (%(figure)s from %(source)s). Only one value can be"
                        " preferred: use the “Make preferred” action, or untick that one first."
                    )
                    % {"figure": other.as_figure(), "source": other.source},
                )
        return cleaned


class ReportedFigureFormSet(forms.BaseInlineFormSet):
    """All reported values of one operation: at most one preferred per figure, judged on the submitted rows."""

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        form.check_preferred_in_database = False  # the formset holds every row, so it judges them together
        return form

    def clean(self):
        preferred = {}
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or self._should_delete_form(form):
                continue
            data = form.cleaned_data
            if not data.get("is_preferred") or not data.get("metric"):
                continue
            slot = (data.get("participation"), data["metric"])
            if slot in preferred:
                form.add_error(
                    "is_preferred",
                    _("Two values are marked preferred for this figure; keep one ticked (the other is %(figure)s).")
                    % {"figure": preferred[slot]},
                )
            else:
                preferred[slot] = Figure(data.get("value"), data.get("qualifier")) if data.get("value") else "?"
        super().clean()


class ReportedFigureInline(SafeAutocompleteFields, SuperuserDeletes, admin.TabularInline):
    model = ReportedFigure
    form = ReportedFigureForm
    formset = ReportedFigureFormSet
    fields = ["participation", "metric", "value", "qualifier", "source", "is_preferred", "quote", "origin"]
    readonly_fields = ["origin"]
    autocomplete_fields = ["source"]
    extra = 0
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
class OperationAdmin(SafeAutocompleteFields, SuperuserDeletes, AtomicRevert, SimpleHistoryAdmin):
    form = OperationForm
    inlines = [ParticipationInline, ReportedFigureInline]
    list_display = ["name", "year", "coordinator", *[_figure_column(metric) for metric in METRICS], "is_verified"]
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
    autocomplete_fields = ["sources", "exploitation_forms"]
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
        (_("Exploitation and sources"), {"fields": ["exploitation_forms", "exploitation_text", "sources"]}),
        (_("Description"), {"fields": ["summary", "notes"]}),
        (_("This change"), {"fields": ["change_reason", "edit_token"]}),
    ]

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
        source = form.cleaned_data.get("figures_source")
        reason = form.cleaned_data.get("change_reason") or ""
        entries = [(None, metric, figure) for metric, figure in operation._changed_figures.items()]
        for formset in formsets:
            if formset.model is Participation:
                for row in formset.forms:
                    if row.instance.pk and not formset._should_delete_form(row):
                        entries += [(row.instance, m, f) for m, f in getattr(row, "changed_figures", {}).items()]
        for participation, metric, figure in entries:
            services.enter_figure(
                operation=operation,
                participation=participation,
                metric=metric,
                figure=figure,
                source=source,
                user=request.user,
                change_reason=reason,
            )
        if source is not None and entries:
            operation.sources.add(source)
        services.refresh_preferred_figures(operation)

    def delete_model(self, request, obj):
        obj._change_reason = "deleted in the admin"
        super().delete_model(request, obj)

    # --- extra pages: import, deleted operations ---------------------------------------------------------------

    def get_urls(self):
        custom = [
            path("import/", self.admin_site.admin_view(self.import_view), name="operations_operation_import"),
            path("deleted/", self.admin_site.admin_view(self.deleted_view), name="operations_operation_deleted"),
            path("draft/", self.admin_site.admin_view(DraftFromSource(self)), name="operations_operation_draft"),
        ]
        return custom + super().get_urls()

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "can_import": self._can_import(request)}
        return super().changelist_view(request, extra_context)

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
            files = importing.load_pending(token, request.session)
            if files is None:
                messages.error(request, _("This preview has expired or was already imported; upload the files again."))
                return redirect("admin:operations_operation_import")
            report = importing.import_files(*files, commit=True, user=request.user)
            if report.ok:
                importing.discard_pending(token, request.session)
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
                    context["token"] = importing.save_pending(files, request.session)
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
                with transaction.atomic():
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


class ImportForm(forms.Form):
    operations_file = forms.FileField(
        label=_("operations file (CSV or XLSX)"),
        required=False,
        help_text=_("name, coordinator, region, start_date, … one row per operation."),
    )
    country_results_file = forms.FileField(
        label=_("country results file (CSV or XLSX)"),
        required=False,
        help_text=_("operation, country, role, figures, source_url: one row per country of an operation."),
    )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("operations_file") and not cleaned.get("country_results_file"):
            raise forms.ValidationError(_("Choose at least one file."))
        for name in ("operations_file", "country_results_file"):
            upload = cleaned.get(name)
            if upload is not None and upload.size > importing.MAX_BYTES:
                self.add_error(
                    name,
                    _("This file is %(size)s MB; the limit is %(limit)s MB. Split it and import the parts.")
                    % {"size": upload.size // 1_000_000, "limit": importing.MAX_BYTES // 1_000_000},
                )
        return cleaned


# --- Reported figures, participations, sources --------------------------------------------------------------------


def _refresh_after_write(obj):
    services.refresh_preferred_figures(obj.operation)
    services.bump_version(obj.operation_id)


@admin.register(ReportedFigure)
class ReportedFigureAdmin(SafeAutocompleteFields, SuperuserDeletes, AtomicRevert, SimpleHistoryAdmin):
    """Every value each source gives, with its history (restore an earlier version from there)."""

    form = ReportedFigureForm
    list_display = ["operation", "country", "metric", "shown", "source", "is_preferred", "origin", "updated_at"]
    list_filter = ["metric", "qualifier", "is_preferred", "origin"]
    show_facets = admin.ShowFacets.ALWAYS
    search_fields = ["operation__name", "participation__country__name", "source__publisher", "quote"]
    autocomplete_fields = ["operation", "participation", "source"]
    list_select_related = ["operation", "participation__country", "source"]
    readonly_fields = ["origin", "updated_by", "updated_at"]
    actions = ["make_preferred"]

    @admin.display(description=_("country"), ordering="participation__country__name")
    def country(self, figure):
        return figure.participation.country if figure.participation_id else "—"

    @admin.display(description=_("figure"), ordering="value")
    def shown(self, figure):
        return str(figure.as_figure())

    @admin.action(description=_("Make the selected values preferred"), permissions=["change"])
    def make_preferred(self, request, queryset):
        slots = {}
        for figure in queryset.select_related("operation"):
            slots.setdefault((figure.operation_id, figure.participation_id, figure.metric), []).append(figure)
        if any(len(figures) > 1 for figures in slots.values()):
            self.message_user(request, _("Select one value per figure: only one can be preferred."), messages.ERROR)
            return
        with transaction.atomic():
            for (figure,) in slots.values():
                services.set_preferred(figure)
                services.bump_version(figure.operation_id)
        self.message_user(request, _("%(count)d value(s) made preferred.") % {"count": len(slots)})

    def save_model(self, request, obj, form, change):
        obj.updated_by = request.user
        super().save_model(request, obj, form, change)
        _refresh_after_write(obj)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        _refresh_after_write(obj)

    def delete_queryset(self, request, queryset):
        operations = {figure.operation for figure in queryset.select_related("operation")}
        for figure in queryset:
            figure.delete()  # one by one, so each deletion is recorded in the history
        for operation in operations:
            services.refresh_preferred_figures(operation)
            services.bump_version(operation.pk)


@admin.register(Participation)
class ParticipationAdmin(SafeAutocompleteFields, SuperuserDeletes, AtomicRevert, SimpleHistoryAdmin):
    list_display = ["operation", "country", "role", *[_figure_column(metric) for metric in METRICS]]
    list_filter = ["role", "country__region"]
    search_fields = ["operation__name", "country__name", "country__iso2"]
    autocomplete_fields = ["operation", "country"]
    list_select_related = ["operation", "country"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        _refresh_after_write(obj)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        _refresh_after_write(obj)


@admin.register(Source)
class SourceAdmin(SuperuserDeletes, AtomicRevert, SimpleHistoryAdmin):
    list_display = ["publisher", "title", "published", "is_primary"]
    list_filter = ["is_primary"]
    search_fields = ["publisher", "title", "url"]
    date_hierarchy = "published"


@admin.register(ExploitationForm)
class ExploitationFormAdmin(SuperuserDeletes, admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


# --- Countries: read-mostly --------------------------------------------------------------------------------------


class CountryAliasForm(forms.ModelForm):
    class Meta:
        model = CountryAlias
        fields = ["name"]

    def clean_name(self):
        name = self.cleaned_data["name"]
        key = normalize_name(name)
        if not key:
            raise forms.ValidationError(_("An alias needs letters or digits."))
        taken = CountryAlias.objects.filter(normalized=key).exclude(pk=self.instance.pk).select_related("country")
        if taken:
            raise forms.ValidationError(
                _("“%(name)s” already names %(country)s.") % {"name": name, "country": taken[0].country}
            )
        return name


class CountryAliasInline(SuperuserDeletes, admin.TabularInline):
    model = CountryAlias
    form = CountryAliasForm
    extra = 1


@admin.register(Country)
class CountryAdmin(SuperuserDeletes, admin.ModelAdmin):
    """Codes, names and regions come from pycountry and UN M49 (a migration ships them): read-only here. Editors add
    the other names sources use, so the importer resolves them."""

    list_display = ["name", "iso2", "iso3", "region", "subregion"]
    list_filter = ["region"]
    show_facets = admin.ShowFacets.ALWAYS
    search_fields = ["name", "iso2", "iso3", "aliases__name"]
    readonly_fields = ["iso2", "iso3", "name", "region", "subregion"]
    inlines = [CountryAliasInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # The country's own fields are read-only; "change" here means editing its aliases.
        return super().has_change_permission(request, obj) or request.user.has_perm("operations.change_countryalias")
