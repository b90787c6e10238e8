"""The profile page: a user's personal API tokens, created (the token shown once, never again) and revoked."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from ..models import ApiToken
from . import tokens


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, help_text=_("What the token is for, e.g. “R scripts on my laptop”.")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].widget.attrs["class"] = "form-control"


class ProfileView(TemplateView):
    template_name = "operations/profile.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", TokenForm())
        context["tokens"] = ApiToken.objects.filter(user=self.request.user)
        return context

    def post(self, request, *args, **kwargs):
        if "revoke" in request.POST:
            if tokens.revoke_token(request.user, _as_id(request.POST["revoke"])):
                messages.success(request, _("The token is revoked: requests that send it are refused from now on."))
            else:
                messages.error(request, _("You have no such active token."))
            return redirect("operations:profile")
        form = TokenForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        _row, token = tokens.create_token(request.user, form.cleaned_data["name"])
        # Rendered, not redirected: the token exists only in this response, and is never stored in a session.
        response = self.render_to_response(self.get_context_data(new_token=token))
        response["Cache-Control"] = "no-store"
        return response


def _as_id(value):
    try:
        number = int(value)
    except ValueError:
        return None
    return number if 0 < number < 2**63 else None
