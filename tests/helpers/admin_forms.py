"""Drive the admin's change forms: their URL, the POST an unchanged submit sends, the errors a response shows."""

import datetime

from django.urls import reverse


def change_url(operation):
    return reverse("admin:operations_operation_change", args=[operation.pk])


def _post_value(bound):
    value = bound.value()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else ""
    if isinstance(value, (list, tuple)):
        return [str(item.pk if hasattr(item, "pk") else item) for item in value]
    if isinstance(value, (datetime.date,)):
        return value.isoformat()
    return str(value.pk if hasattr(value, "pk") else value)


def form_data(response):
    """The POST an unchanged submit of an admin change page would send (form, inlines, management forms)."""
    data = {}
    form = response.context["adminform"].form
    for name in form.fields:
        data[name] = _post_value(form[name])
    for inline in response.context.get("inline_admin_formsets", []):  # none on a history (revert) page
        formset = inline.formset
        for name in formset.management_form.fields:
            data[f"{formset.prefix}-{name}"] = _post_value(formset.management_form[name])
        for subform in formset.forms:
            for name in subform.fields:
                data[subform.add_prefix(name)] = _post_value(subform[name])
    return {key: value for key, value in data.items() if value != ""}


def inline_prefix(response, model):
    for inline in response.context["inline_admin_formsets"]:
        if inline.formset.model is model:
            return inline.formset.prefix
    raise AssertionError(model)


def errors_of(response):
    """Every error on the page: the main form's fields and non-field errors, and the inline forms'."""
    form = response.context["adminform"].form
    found = {name: [str(e) for e in errors] for name, errors in form.errors.items()}
    for inline in response.context.get("inline_admin_formsets", []):
        for subform in inline.formset.forms:
            for name, errors in subform.errors.items():
                found.setdefault(f"{inline.formset.model._meta.model_name}.{name}", []).extend(errors)
        for error in inline.formset.non_form_errors():
            found.setdefault(f"{inline.formset.model._meta.model_name}.__all__", []).append(error)
    return found
