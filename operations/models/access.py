"""Personal API tokens (operations/api/): who may read the API without a browser session."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ApiToken(models.Model):
    """A personal API token: only its SHA-256 digest is kept; the token is shown once, at creation.

    A fast hash, not a password hasher: the token is 256 random bits (nothing to guess), it is looked up by its digest
    on every API request, and a password hasher's deliberate ~100 ms would be paid per request."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    # The token's first characters, shown on the profile page to tell tokens apart (not enough to use one).
    prefix = models.CharField(_("starts with"), max_length=12, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self):
        return f"{self.user_id}: {self.name} ({self.prefix}…)"


class ApiRateCount(models.Model):
    """Requests one API client (a token, or a user's session) made in the current rate-limit window: one row per client,
    counted by one atomic upsert (operations/api/throttling.py), so every server process shares the count."""

    client = models.CharField(max_length=100, primary_key=True)
    window_start = models.BigIntegerField()  # the window's start, in seconds since the epoch
    count = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.client}: {self.count} since {self.window_start}"
