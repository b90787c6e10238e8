"""The admin's forms: figures typed as text, the operation form with its concurrency check, country rows, reported
values, country aliases and the spreadsheet upload."""

import datetime

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .. import importing, queries, services
from ..countries import normalize_name
from ..figures import Figure, FigureParseError
from ..models import METRICS, CountryAlias, Operation, Participation, ReportedFigure, Source
from .widgets import KeyCheckingAutocompleteSelect

FIGURE_HELP = _("As the source states it: 700, nearly 700, about 4,000, 250+, more than 10,000. Empty: unknown.")
SOURCE_REQUIRED = _("A figure needs a source: choose the publication it was read in (or add it with the + button).")
NEGATIVE = _("A figure cannot be negative: it counts people or cases.")


def figure_field(metric):
    return f"figure_{metric.value}"


FIGURE_FIELD_NAMES = [figure_field(metric) for metric in METRICS]

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


class ParticipationForm(_figure_form_base("ParticipationFormBase")):
    class Meta:
        model = Participation
        fields = ["country", "role", "notes"]
        labels = {"country": _("country")}  # the model field's name is not translated (a verbose_name is a migration)
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


class ReportedFigureForm(forms.ModelForm):
    """One reported value: value, qualifier and source (required), as the model stores it."""

    check_preferred_in_database = True

    class Meta:
        model = ReportedFigure
        fields = [
            "operation",
            "participation",
            "metric",
            "value",
            "qualifier",
            "stated_as",
            "source",
            "quote",
            "note",
            "is_preferred",
        ]
        error_messages = {"value": {"min_value": NEGATIVE}, "source": {"required": SOURCE_REQUIRED}}
        labels = {"participation": _("country")}  # a country's row of the operation, or none: operation-wide
        widgets = {
            "quote": forms.Textarea(attrs={"rows": 1, "cols": 30}),
            "note": forms.Textarea(attrs={"rows": 1, "cols": 20}),
        }

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
        if self.check_preferred_in_database and operation is not None:
            # Checked against every report of the figure: the implicit ones become rows first (services.implicit;
            # the inline's operation page made them already). The admin's form view is one transaction.
            services.materialize_reports([operation.pk])
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


class ImportForm(forms.Form):
    operations_file = forms.FileField(
        label=_("Operations file (CSV or XLSX)"),
        required=False,
        help_text=_(
            "name, coordinator, region, start_date, … one row per operation. Or a data package (zip, as “Download"
            " the dataset” gives) alone: it adds the sources, operations, countries and reports the database lacks."
        ),
    )
    country_results_file = forms.FileField(
        label=_("Country results file (CSV or XLSX)"),
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
