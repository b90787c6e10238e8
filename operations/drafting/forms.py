"""Forms of "New operation from a source": the source (text, file or URL), then the review of every proposal."""

from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.utils.translation import gettext_lazy as _

from ..figures import Metric, Qualifier
from ..models import DatePrecision, Operation, ReportedFigure, Role
from .sources import MAX_SOURCE_BYTES

LANGUAGE_CHOICES = [("", _("detect")), ("en", "English"), ("es", "Español"), ("fr", "Français")]


class SourceForm(forms.Form):
    """One of: the text pasted, a saved page uploaded, or the page's address."""

    text = forms.CharField(
        label=_("Paste the text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        max_length=MAX_SOURCE_BYTES,
    )
    file = forms.FileField(
        label=_("or upload a saved page (HTML or text)"),
        required=False,
        help_text=_("At most %(size)s MB.") % {"size": MAX_SOURCE_BYTES // 1048576},
    )
    url = forms.CharField(
        label=_("or give its address (the server fetches it)"),
        required=False,
        max_length=2000,
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    language = forms.ChoiceField(label=_("Language"), choices=LANGUAGE_CHOICES, required=False)

    def clean(self):
        cleaned = super().clean()
        given = [name for name in ("text", "file", "url") if cleaned.get(name)]
        if not given and not self.errors:
            raise forms.ValidationError(_("Paste a text, upload a page or give an address."))
        if len(given) > 1:
            raise forms.ValidationError(_("Give one source at a time: a text, a file or an address."))
        upload = cleaned.get("file")
        if upload is not None and upload.size > MAX_SOURCE_BYTES:
            self.add_error(
                "file",
                _("This file is %(size)s MB; the largest accepted is %(max)s MB.")
                % {"size": f"{upload.size / 1048576:.1f}", "max": MAX_SOURCE_BYTES // 1048576},
            )
        return cleaned


class ReviewForm(forms.Form):
    """The source's text (carried over, never re-fetched) and the proposed operation, source and period."""

    text = forms.CharField(widget=forms.HiddenInput, max_length=MAX_SOURCE_BYTES)
    language = forms.ChoiceField(choices=LANGUAGE_CHOICES[1:], widget=forms.HiddenInput)
    operation_index = forms.IntegerField(min_value=0, widget=forms.HiddenInput, initial=0)
    source_url = forms.URLField(label=_("Source URL"), required=False, max_length=1000, assume_scheme="https")
    source_title = forms.CharField(label=_("Title"), required=False, max_length=500)
    source_publisher = forms.CharField(label=_("Publisher"), max_length=200)
    source_published = forms.DateField(label=_("Published"), required=False, help_text=_("YYYY-MM-DD"))
    operation = forms.ModelChoiceField(
        label=_("Existing operation"),
        queryset=Operation.objects.all(),
        required=False,
        widget=AutocompleteSelect(ReportedFigure._meta.get_field("operation"), admin.site),
        help_text=_("Leave empty to create a new operation. The figures of an existing one are added as reports."),
    )
    name = forms.CharField(label=_("Name"), required=False, max_length=200)
    start_date = forms.DateField(label=_("Start date"), required=False, help_text=_("YYYY-MM-DD"))
    end_date = forms.DateField(label=_("End date"), required=False, help_text=_("YYYY-MM-DD"))
    date_precision = forms.ChoiceField(label=_("Date precision"), choices=DatePrecision.choices)
    countries_reported = forms.IntegerField(label=_("Countries (reported)"), required=False, min_value=0, max_value=300)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("operation") and not (cleaned.get("name") or "").strip():
            self.add_error("name", _("Name the new operation, or choose an existing one."))
        name = (cleaned.get("name") or "").strip()
        if not cleaned.get("operation") and name and Operation.objects.filter(name__iexact=name).exists():
            self.add_error("name", _("An operation with this name exists: choose it above to add these reports."))
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The end date is before the start date."))
        return cleaned


class FigureProposalForm(forms.Form):
    """One proposed figure: accept (edited or not) or reject."""

    accept = forms.BooleanField(label=_("Accept"), required=False, initial=True)
    metric = forms.ChoiceField(label=_("Metric"), choices=Metric.choices)
    value = forms.IntegerField(label=_("Value"), min_value=0)
    qualifier = forms.ChoiceField(label=_("Qualifier"), choices=Qualifier.choices)
    country = forms.ChoiceField(label=_("Country"), required=False)
    stated_as = forms.CharField(widget=forms.HiddenInput, required=False, max_length=200)
    quote = forms.CharField(widget=forms.HiddenInput, required=False, max_length=5000)
    start = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, country_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("— the whole operation —")), *country_choices]


class CountryProposalForm(forms.Form):
    """One proposed participating country."""

    accept = forms.BooleanField(label=_("Accept"), required=False, initial=True)
    country = forms.ChoiceField(label=_("Country"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    mention = forms.CharField(widget=forms.HiddenInput, required=False, max_length=200)

    def __init__(self, *args, country_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = list(country_choices)


FigureFormSet = forms.formset_factory(FigureProposalForm, extra=0, max_num=500, validate_max=True)
CountryFormSet = forms.formset_factory(CountryProposalForm, extra=0, max_num=300, validate_max=True)
