"""Forms of the browsing pages that are not filters: choosing the operations to compare."""

from functools import lru_cache

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .markup import escape
from .models import Operation

MIN_COMPARED, MAX_COMPARED = 2, 4


class FastSelectMixin:
    """Renders the options in Python instead of one template per option: a 150-country select cost ~25 ms a page
    through Django's option templates (measured under the test runner), about 1 ms this way. Same HTML, for flat
    choices (no option groups, which no select here uses)."""

    def render(self, name, value, attrs=None, renderer=None):
        attrs = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            attrs["multiple"] = True
        choices = tuple((str(choice), str(label)) for choice, label in self.choices)
        options = _options_html(choices, tuple(self.format_value(value)))
        return mark_safe(f'<select name="{escape(name)}"{flatatt(attrs)}>{options}</select>')


@lru_cache(maxsize=64)
def _options_html(choices, chosen):
    """The <option>s of `choices` ((value, label) pairs as text), `chosen` selected. Kept per choices and choice: the
    same ~250 countries are written on every list page in each language, and escaping them was ~2 ms a page."""
    # markup.escape, not format_html_join: Django's escape functions check every argument for lazy strings, which
    # was most of the ~250-country select's cost.
    return "".join(
        f'<option value="{escape(choice)}"{" selected" if choice in chosen else ""}>{escape(label)}</option>'
        for choice, label in choices
    )


class FastTextInput(forms.TextInput):
    """A text box written in Python: Django renders each through two templates (~0.3 ms), and a filter form has up to
    ten. Same HTML as django/forms/widgets/input.html."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        html = f'<input type="{escape(widget["type"])}" name="{escape(widget["name"])}"'
        if widget["value"] is not None:
            html += f' value="{escape(widget["value"])}"'
        for key, item in widget["attrs"].items():
            if item is not False:
                html += f" {escape(key)}" if item is True else f' {escape(key)}="{escape(item)}"'
        return mark_safe(html + ">")


class FastSelect(FastSelectMixin, forms.Select):
    pass


class FastSelectMultiple(FastSelectMixin, forms.SelectMultiple):
    pass


class DatalistInput(FastTextInput):
    """A text box that suggests `options()` as one types (the browser's own <datalist>, no script): free text, so a
    value the list leaves out is still accepted."""

    def __init__(self, *, options, attrs=None):
        self.options = options
        super().__init__(attrs)

    def render(self, name, value, attrs=None, renderer=None):
        attrs = {**(attrs or {}), "list": f"{name}-suggestions"}
        options = _datalist_html(tuple(self.options()))
        box = super().render(name, value, attrs, renderer)
        return mark_safe(f'{box}<datalist id="{escape(name)}-suggestions">{options}</datalist>')


@lru_cache(maxsize=16)
def _datalist_html(options):
    return "".join(f'<option value="{escape(option)}">' for option in options)


class OperationSlugsField(forms.ModelMultipleChoiceField):
    """Operations by slug; a value no operation has is a form error naming it."""

    def clean(self, value):
        for slug in value or ():
            # PostgreSQL refuses NUL in a query and a slug is never longer than the column: reject both up front.
            if "\x00" in slug or len(slug) > 200:
                raise ValidationError(
                    _("“%(value)s” is not an operation.") % {"value": slug[:40]}, code="invalid_choice"
                )
        return super().clean(value)


class CompareForm(forms.Form):
    """The operations to compare. Any operation's slug is valid, but the select lists only `shown` (the choices
    queries.compare_choices() gives: the matches of a search, or the latest operations, and the chosen ones), so
    that ten thousand operations do not make a select of ten thousand options."""

    operations = OperationSlugsField(
        queryset=Operation.objects.order_by("name"),
        to_field_name="slug",
        label=_("Operations to compare"),
        help_text=_("Choose 2 to 4 (hold Ctrl or ⌘ to choose several)."),
        widget=FastSelectMultiple(attrs={"size": 10}),
        error_messages={"invalid_choice": _("“%(value)s” is not an operation.")},
    )

    def __init__(self, data=None, *, shown=list, **kwargs):
        super().__init__(data, **kwargs)
        # Lazily: the listing is queried only when the select is rendered (not for a cached page).
        self.fields["operations"].widget.choices = lambda: [
            (slug, name if verified else gettext("%(name)s (unverified)") % {"name": name})
            for slug, name, verified in shown()
        ]

    def clean_operations(self):
        chosen = list(self.cleaned_data["operations"])
        if not MIN_COMPARED <= len(chosen) <= MAX_COMPARED:
            raise ValidationError(
                ngettext(
                    "Choose 2 to 4 different operations to compare; %(count)d was given.",
                    "Choose 2 to 4 different operations to compare; %(count)d were given.",
                    len(chosen),
                )
                % {"count": len(chosen)},
                code="count",
            )
        # Columns in the order the URL names them, so a shared link shows the same table.
        order = {slug: position for position, slug in reversed(list(enumerate(self.data.getlist("operations"))))}
        return sorted(chosen, key=lambda operation: order.get(operation.slug, 0))


class FindOperationsForm(forms.Form):
    """/compare/'s search: narrows the operations the selection lists (a GET form, so it works without JavaScript)."""

    find = forms.CharField(
        required=False,
        max_length=100,
        strip=True,
        label=_("Find operations"),
        help_text=_("Part of a name; the list below then shows the operations that match."),
    )  # a NUL is refused by CharField itself
