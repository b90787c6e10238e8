"""/compare/ (two to four operations side by side) and the data dictionary (/about/data/)."""

from functools import partial

from django.utils.functional import SimpleLazyObject
from django.views.generic import TemplateView

from .. import caching, exports, forms, queries


class CompareView(TemplateView):
    """2 to 4 operations side by side: the same metrics in the same rows, missing shown as missing, sources cited."""

    template_name = "operations/compare.html"

    def get(self, request, *args, **kwargs):
        self.find_form = forms.FindOperationsForm(request.GET)
        find = self.find_form.cleaned_data["find"] if self.find_form.is_valid() else ""
        chosen = request.GET.getlist("operations")
        # The operations the selection lists, loaded only when it is rendered (not for a cached page).
        self.listing = SimpleLazyObject(
            lambda: dict(zip(("shown", "matching"), queries.compare_choices(find, chosen), strict=True))
        )
        # Find narrows the list and keeps what is chosen; only the Compare button asks for a comparison.
        comparing = "operations" in request.GET and "find" not in request.GET
        self.form = forms.CompareForm(
            request.GET if comparing else None, initial={"operations": chosen}, shown=lambda: self.listing["shown"]
        )
        # Shown unbound when valid, with what was asked as initial values: a bound field without errors would be
        # drawn green ("valid") by django-bootstrap5, which no other form here does.
        self.shown_forms = {
            "form": self.form
            if self.form.errors
            else forms.CompareForm(initial={"operations": chosen}, shown=lambda: self.listing["shown"]),
            "find_form": self.find_form if self.find_form.errors else forms.FindOperationsForm(initial={"find": find}),
        }
        response = super().get(request, *args, **kwargs)
        if (self.form.is_bound and not self.form.is_valid()) or not self.find_form.is_valid():
            response.status_code = 400
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self.shown_forms)
        context["listing"] = self.listing
        context["shown_limit"] = queries.COMPARE_CHOICES_SHOWN
        context.update(caching.fragment_context(self.request))
        if self.form.is_bound and self.form.is_valid():
            # Loaded when the page's {% cache %} fragment is rendered, not when it comes from the cache.
            context["comparison"] = SimpleLazyObject(partial(queries.comparison, self.form.cleaned_data["operations"]))
        return context


# --- Export and data dictionary (issue #6) ---------------------------------------------------------------------


class DataDictionaryView(TemplateView):
    """/about/data/: every export column, metric and qualifier, generated from the export specs, METRICS and
    Qualifier so the page cannot drift from the files."""

    template_name = "operations/data_dictionary.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **exports.data_dictionary()}
