"""One FilterSet per list (operations, results, countries); every per-metric filter is derived from METRICS."""

import re
from functools import lru_cache
from operator import itemgetter

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils.formats import get_format, number_format
from django.utils.functional import lazy
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from . import queries
from .collation import sorted_by_name
from .countries import localized_name, localized_subregion
from .forms import DatalistInput, FastSelect, FastTextInput
from .markup import escape
from .models import METRICS, Country, ExploitationForm, Operation, Participation, Region, Role

# Bounds that keep every number a user can type inside a 64-bit integer (SQLite and PostgreSQL both overflow past it).
MAX_FIGURE = 2**62
MIN_YEAR, MAX_YEAR = 1900, 2100
MAX_TEXT = 200


def _reject_nul(value):
    # PostgreSQL refuses NUL in a string literal; say so as a form error instead of a database error.
    if isinstance(value, str) and "\x00" in value:
        raise ValidationError(_("This value contains a NUL character."), code="null_characters_not_allowed")


class WholeNumberField(forms.IntegerField):
    """A whole number as people type it in the interface language: "10000", "10 000", or grouped as the language
    groups ("10,000" in English, "10.000" in Spanish). Django's IntegerField drops a trailing ".000" as a decimal part,
    so it read the Spanish "10.000" as 10; a separator the language does not group with ("10,000" in Spanish, where the
    comma is the decimal mark) is refused, never guessed."""

    default_error_messages = {
        "invalid": _("Type a whole number, such as %(plain)s or %(grouped)s."),
    }
    _SPACES = " \u00a0\u202f"

    def to_python(self, value):
        _reject_nul(value)
        if isinstance(value, str):
            text = value.strip()
            separators = re.escape(self._SPACES + get_format("THOUSAND_SEPARATOR"))
            if re.fullmatch(rf"\d{{1,3}}(?:[{separators}]\d{{3}})+", text):
                text = re.sub(r"\D", "", text)
            elif text and not re.fullmatch(r"[+-]?\d+", text):
                raise ValidationError(
                    self.error_messages["invalid"],
                    code="invalid",
                    params={"plain": "10000", "grouped": number_format(10000, force_grouping=True)},
                )
            value = text
        return super().to_python(value)


class IntegerFilter(django_filters.NumberFilter):
    """A whole-number filter (django-filter's NumberFilter takes decimals) with bounds."""

    field_class = WholeNumberField

    def __init__(self, *args, **kwargs):
        # A text box, not <input type=number>: the browser blanks a bad value in a number box, and the user should
        # see what they typed next to the error about it.
        kwargs.setdefault("widget", FastTextInput(attrs={"inputmode": "numeric"}))
        super().__init__(*args, **kwargs)


class CountryChoices(django_filters.fields.ModelChoiceIterator):
    """The options as (ISO code, name in the interface language) read from two columns: no model instance for each
    of the ~250 countries the select lists on every page."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        # Read unordered and put in order here: the database's order by name is a 250-branch CASE (collation.py),
        # which cost ~0.6 ms a page on SQLite for ~250 rows.
        yield from _country_choices(self.field.rows(), get_language())


@lru_cache(maxsize=16)
def _country_choices(rows, language):
    """(ISO code, name in `language`) of the countries `rows` (CountryField.rows) holds, in that language's order."""
    return tuple(
        sorted_by_name(
            ((iso2, localized_name(iso2, name, language)) for _, iso2, name in rows),
            name=itemgetter(1),
            language=language,
        )
    )


class CountryField(django_filters.fields.ModelChoiceField):
    """A country chosen by ISO alpha-2 code in any case: `?country=BR` and `?country=br` mean Brazil."""

    iterator = CountryChoices
    _rows = None

    def rows(self) -> tuple:
        """(id, ISO code, English name) of the countries offered, read once per form: the options and the check of
        the chosen code share one query (the check was a query of its own on every filtered page)."""
        if self._rows is None:
            self._rows = tuple(self.queryset.order_by().values_list("id", "iso2", "name"))
        return self._rows

    def __deepcopy__(self, memo):
        copied = super().__deepcopy__(memo)
        copied._rows = None  # each form reads the countries as they are now
        return copied

    def to_python(self, value):
        _reject_nul(value)
        if value in self.empty_values:
            return None
        code = (value.iso2 if isinstance(value, Country) else str(value)).strip().upper()
        for pk, iso2, name in self.rows():
            if iso2 == code:
                return Country(pk=pk, iso2=iso2, name=name)
        raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice", params={"value": code})

    def prepare_value(self, value):
        # So that the select shows "Brazil" as chosen for `?country=br`.
        if isinstance(value, str):
            return value.upper()
        return super().prepare_value(value)


class CountryFilter(django_filters.ModelChoiceFilter):
    field_class = CountryField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("to_field_name", "iso2")
        kwargs.setdefault("widget", FastSelect)
        kwargs.setdefault("queryset", lambda request: queries.participating_countries())
        kwargs.setdefault("label", _("Country"))
        kwargs.setdefault("empty_label", _("Any country"))
        kwargs.setdefault(
            "error_messages", {"invalid_choice": _("“%(value)s” is not the ISO code of a participating country.")}
        )
        super().__init__(*args, **kwargs)


class OperationField(django_filters.fields.ModelChoiceField):
    """An operation by its name, in any case ("operation libertad"), or by its slug (the links of the dashboards)."""

    def to_python(self, value):
        _reject_nul(value)
        if value in self.empty_values:
            return None
        value = str(value).strip()[:MAX_TEXT]
        operation = self.queryset.filter(slug=value).first() or self.queryset.filter(name__iexact=value).first()
        if operation is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value})
        return operation

    def prepare_value(self, value):
        return value.name if isinstance(value, Operation) else value


def _minimum_label(metric):
    return _("Minimum %(metric)s") % {"metric": metric.label}


def _min_figure_filters():
    """`min_<metric>` for every metric: rows whose preferred value is at least the number (unknown is excluded)."""
    return {
        f"min_{metric.value}": IntegerFilter(
            field_name=metric.value,
            lookup_expr="gte",
            label=lazy(_minimum_label, str)(metric),  # lazy: translated when the form renders, not at import
            min_value=0,
            max_value=MAX_FIGURE,
        )
        for metric in METRICS
    }


# Operations and participations carry the same preferred-figure columns, so one set of filters serves both lists.
MinimumFigures = type("MinimumFigures", (django_filters.FilterSet,), {"__module__": __name__, **_min_figure_filters()})


def _year_filter(field_name, lookup_expr, label):
    return IntegerFilter(
        field_name=field_name, lookup_expr=lookup_expr, label=label, min_value=MIN_YEAR, max_value=MAX_YEAR
    )


def region_choices():
    """The UN regions in the interface language's alphabetical order ("África", "América", "Asia", ...)."""
    return sorted_by_name(Region.choices, name=lambda choice: choice[1])


class FilterForm(forms.Form):
    """The form behind every FilterSet: no NUL characters anywhere, and a year range that runs forwards."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.validators.append(_reject_nul)
            # Bootstrap's small controls, set here so the template renders `{{ field }}` as it is: the filter form
            # is on every list page, and django-bootstrap5's per-field rendering cost ~3 ms a field.
            widget = field.widget
            if isinstance(widget, forms.Select):
                widget.attrs["class"] = "form-select form-select-sm"
            else:
                widget.attrs["class"] = "form-control form-control-sm"
                widget.attrs.setdefault("placeholder", field.label)
        # The per-metric minimums come from a shared base class; show them after the list's own filters.
        self.order_fields([name for name in self.fields if not name.startswith("min_")])

    def fields_html(self):
        """Each field in its grid cell (label, widget, errors, help), as includes/filter_form.html lays them out,
        written in Python: through the template's loop the cells cost ~0.6 ms of every list page."""
        cells = []
        for field in self:
            cell = (
                '<div class="col-6 col-md-4 col-lg-3 col-xxl-2"><div class="mb-1">'
                f'<label class="form-label" for="{escape(field.id_for_label)}">{escape(field.label)}</label>{field}'
            )
            if field.errors:
                errors = "".join(f'<div class="invalid-feedback d-block">{escape(e)}</div>' for e in field.errors)
                cell += f'<div id="{escape(field.auto_id)}_error" class="w-100">{errors}</div>'
            if field.help_text:
                cell += f'<div id="{escape(field.auto_id)}_helptext" class="form-text">{escape(field.help_text)}</div>'
            cells.append(f"\n    {cell}</div></div>\n    ")
        return mark_safe("".join(cells))

    def full_clean(self):
        super().full_clean()
        # Bootstrap shows a field as invalid by its class; Django adds aria-invalid and aria-describedby itself.
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs["class"]:
                    widget.attrs["class"] += " is-invalid"

    def clean(self):
        data = super().clean()
        start, end = data.get("year_from"), data.get("year_to")
        if start is not None and end is not None and start > end:
            raise ValidationError(
                _("“Year from” (%(start)s) is after “Year to” (%(end)s).") % {"start": start, "end": end}
            )
        return data


class TrackerFilterSet(django_filters.FilterSet):
    class Meta:
        form = FilterForm

    def get_form_class(self):
        # django-filter builds every filter's form field and a new form class for each request (~0.5 ms a list
        # page). They depend only on the FilterSet class and the interface language: labels and choices are read
        # when a form is rendered, and each form works on deep copies of the fields (querysets cloned, widgets
        # copied), so each class is built once per language.
        key = (type(self), get_language())
        form_class = _FORM_CLASSES.get(key)
        if form_class is None:
            form_class = _FORM_CLASSES[key] = super().get_form_class()
        return form_class


_FORM_CLASSES = {}


class OperationFilter(MinimumFigures, TrackerFilterSet):
    """Filters of /operations/: search, coordinator, region, years, country, form of exploitation, minimum figures."""

    q = django_filters.CharFilter(
        method="search", label=_("Search (name, summary)"), max_length=MAX_TEXT, widget=FastTextInput
    )
    coordinator = django_filters.CharFilter(
        lookup_expr="icontains", label=_("Coordinator"), max_length=MAX_TEXT, widget=FastTextInput
    )
    region = django_filters.ChoiceFilter(
        widget=FastSelect,
        choices=region_choices,
        method="in_region",
        label=_("Region (of a participating country)"),
        empty_label=_("Any region"),
    )
    year_from = _year_filter("year", "gte", _("Year from"))
    year_to = _year_filter("year", "lte", _("Year to"))
    country = CountryFilter(method="with_country", label=_("Participating country"))
    exploitation = django_filters.ModelChoiceFilter(
        widget=FastSelect,
        field_name="exploitation_forms",
        queryset=ExploitationForm.objects.all(),
        to_field_name="slug",
        label=_("Form of exploitation"),
        empty_label=_("Any form of exploitation"),
    )

    class Meta:
        model = Operation
        fields = []
        form = FilterForm

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(summary__icontains=value))

    # Exists() rather than a join: an operation with several matching countries stays one row, so the footer
    # totals count it once.
    def in_region(self, queryset, name, value: str):  # the hint types the API schema (the choices are a callable)
        return queryset.filter(Exists(Participation.objects.filter(operation=OuterRef("pk"), country__region=value)))

    def with_country(self, queryset, name, value):
        return queryset.filter(Exists(Participation.objects.filter(operation=OuterRef("pk"), country=value)))


# The most operation names the filter suggests as one types; any other name is still accepted.
OPERATION_NAMES_SUGGESTED = 500


def _operation_names():
    """The names the operation filter suggests: the latest operations', in the interface language's order."""
    return _names_in_order(queries.latest_operation_names(OPERATION_NAMES_SUGGESTED), get_language())


@lru_cache(maxsize=16)
def _names_in_order(names, language):
    # Kept per list of names: collating 500 names was ~1.5 ms of every list page, and they change only with the data.
    return tuple(sorted_by_name(names, language=language))


class OperationNameFilter(django_filters.ModelChoiceFilter):
    """An operation typed by name, with the names suggested as one types (a <datalist>): a select of 10,000
    operations would cost more than the page."""

    field_class = OperationField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", Operation.objects.all())
        kwargs.setdefault("widget", DatalistInput(options=_operation_names, attrs={"autocomplete": "off"}))
        kwargs.setdefault("label", _("Operation"))
        kwargs.setdefault("error_messages", {"invalid_choice": _("No operation is named “%(value)s”.")})
        super().__init__(*args, **kwargs)


class ResultFilter(MinimumFigures, TrackerFilterSet):
    """Filters of /results/: operation, country, region, years, role, minimum figures."""

    operation = OperationNameFilter()
    country = CountryFilter()
    region = django_filters.ChoiceFilter(
        widget=FastSelect,
        field_name="country__region",
        choices=region_choices,
        label=_("Region"),
        empty_label=_("Any region"),
    )
    year_from = _year_filter("operation__year", "gte", _("Year from"))
    year_to = _year_filter("operation__year", "lte", _("Year to"))
    role = django_filters.ChoiceFilter(
        widget=FastSelect, choices=Role.choices, label=_("Role"), empty_label=_("Any role")
    )

    class Meta:
        model = Participation
        fields = []
        form = FilterForm


def _subregion_choices():
    """The UN M49 sub-regions (the English name is the value), labelled and ordered in the interface language."""
    subregions = Country.objects.exclude(subregion="").order_by().values_list("subregion", flat=True).distinct()
    language = get_language()
    choices = [(name, localized_subregion(name, language)) for name in subregions]
    return sorted_by_name(choices, name=lambda choice: choice[1])


class CountryListFilter(TrackerFilterSet):
    """Filters of /countries/: region, sub-region, whether any of its own figures is known."""

    region = django_filters.ChoiceFilter(
        widget=FastSelect, choices=region_choices, label=_("Region"), empty_label=_("Any region")
    )
    subregion = django_filters.ChoiceFilter(
        widget=FastSelect, choices=_subregion_choices, label=_("Sub-region"), empty_label=_("Any sub-region")
    )
    has_results = django_filters.ChoiceFilter(
        widget=FastSelect,
        choices=[("yes", _("with figures of its own")), ("no", _("without figures of its own"))],
        method="with_results",
        label=_("Country figures"),
        empty_label=_("With or without"),
    )

    class Meta:
        model = Country
        fields = []
        form = FilterForm

    def with_results(self, queryset, name, value):
        any_known = Q()
        for metric in METRICS:
            any_known |= Q(**{f"{metric.value}__isnull": False})
        known = Exists(Participation.objects.filter(any_known, country=OuterRef("pk")))
        return queryset.filter(known if value == "yes" else ~known)
