"""Behaviour shared by the admins: who deletes, one transaction (one refresh) per write, safe autocomplete widgets,
imported rows' first versions on their history pages."""

from .. import services
from .widgets import KeyCheckingAutocompleteSelect, KeyCheckingAutocompleteSelectMultiple


class SuperuserDeletes:
    """Only superusers delete, whatever permissions a group is given: a deletion loses sourced data (it can be undone
    from the history, but nobody else should have to)."""

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


class RefreshOnce:
    """Each admin write is one services.changes() block: the admin's own saves (the receivers note them) and the
    services it calls refresh the kept totals and the data version once, before the transaction commits."""

    def _writing(self, request, view, *args, **kwargs):
        if request.method != "POST":  # a GET writes nothing: no transaction of ours, no extra savepoint queries
            return view(request, *args, **kwargs)
        with services.changes():
            return view(request, *args, **kwargs)

    def changeform_view(self, request, *args, **kwargs):
        return self._writing(request, super().changeform_view, *args, **kwargs)

    def delete_view(self, request, *args, **kwargs):
        return self._writing(request, super().delete_view, *args, **kwargs)

    def changelist_view(self, request, *args, **kwargs):
        return self._writing(request, super().changelist_view, *args, **kwargs)


class AtomicRevert(RefreshOnce):
    """RefreshOnce for a simple_history admin, whose revert view is not atomic like Django's change view. A revert
    writes the row and refreshes the preferred figures (both or neither), and the operation form's concurrency check
    locks the row with select_for_update, which PostgreSQL allows only inside a transaction."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        with services.changes():
            return super().history_form_view(request, object_id, version_id, extra_context)


class FirstVersionOnHistoryPage:
    """A row an unattended import wrote is its own first version until first changed (services.COPY_ON_WRITE): its
    history page writes that version when first asked for it, so the imported values are listed like any first
    version (and can be restored from there)."""

    def history_view(self, request, object_id, extra_context=None):
        if str(object_id).isdigit() and self.has_view_or_change_permission(request):
            services.write_baselines(self.model, ids=[int(object_id)])
        return super().history_view(request, object_id, extra_context)


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


class LabelledTabularFields:
    """A tabular inline's fields named for screen readers (aria-label): Django labels only the column's header, so
    each row's select, text box and delete box had no name of its own (axe-core: select-name, label)."""

    def get_formset(self, request, obj=None, **kwargs):
        class LabelledFormSet(super().get_formset(request, obj, **kwargs)):
            def add_fields(self, form, index):
                super().add_fields(form, index)
                for name, field in form.fields.items():
                    # A foreign key's select sits inside the admin's RelatedFieldWidgetWrapper: label the select.
                    widget = getattr(field.widget, "widget", field.widget)
                    widget.attrs.setdefault("aria-label", field.label or name)

        return LabelledFormSet
