"""Rate limits per API token (per user for a session): 429 with Retry-After past settings' `api` rate."""

from rest_framework.throttling import SimpleRateThrottle

from ..models import ApiToken


class PerTokenRateThrottle(SimpleRateThrottle):
    """Counts in Django's cache (settings.CACHES), so per server process with the default local-memory cache; a shared
    cache (Redis, Memcached) makes the limit hold across processes."""

    scope = "api"

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = f"address-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}
