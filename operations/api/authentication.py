"""`Authorization: Bearer <token>` with a personal API token; a bad or revoked token is a 401, never a fallback.
(Its description in the OpenAPI schema, ApiTokenScheme, is in schema.py.)"""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from . import tokens


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keywords = ("bearer", "token")

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower().decode("latin-1") not in self.keywords:
            return None  # no token: the session may authenticate instead
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("The Authorization header must be “Bearer <token>”."))
        try:
            token = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        found = tokens.user_for_token(token)
        if found is None:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        return found

    def authenticate_header(self, request):
        # Makes DRF answer a missing or bad credential with 401 (and this challenge), not 403.
        return 'Bearer realm="api"'
