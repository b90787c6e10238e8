"""Autocomplete widgets that never raise on a posted value the related key cannot take, named for screen readers."""

from django import forms
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core.exceptions import ValidationError


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

    @property
    def media(self):
        # After Django's autocomplete.js: gives select2's textbox and search box the field's name (axe-core: label,
        # aria-input-field-name).
        return super().media + forms.Media(js=["admin/js/autocomplete.js", "js/admin-autocomplete-labels.js"])


class KeyCheckingAutocompleteSelect(KeyCheckingAutocomplete, AutocompleteSelect):
    pass


class KeyCheckingAutocompleteSelectMultiple(KeyCheckingAutocomplete, AutocompleteSelectMultiple):
    def build_attrs(self, base_attrs, extra_attrs=None):
        # No "clear all" button: select2 4.0 puts it inside its <ul> of choices, among the <li> (axe-core: list), and
        # each chosen item has its own remove button anyway.
        return {**super().build_attrs(base_attrs, extra_attrs), "data-allow-clear": "false"}
