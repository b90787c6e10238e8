"""The export log and the data version (the token cached renderings are keyed by)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ExportLog(models.Model):
    """One export of a table (CSV or XLSX): who asked, for which table and filters, and how many rows they got.

    Written when the export starts and updated when its last row is sent, so an export cut short by an error
    stays on record as failed with the rows sent so far."""

    class Status(models.TextChoices):
        STARTED = "started", _("started")
        COMPLETE = "complete", _("complete")
        FAILED = "failed", _("failed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Kept apart from `user` so the record still says who exported after the account is deleted.
    username = models.CharField(_("user name"), max_length=150)
    table = models.CharField(_("table"), max_length=50)
    path = models.CharField(_("page"), max_length=500)
    format = models.CharField(_("format"), max_length=10)
    # The query string as given (filters and sort, without the export trigger), as {"name": ["value", ...]}.
    query = models.JSONField(_("filters and sort"), default=dict, blank=True)
    row_count = models.PositiveBigIntegerField(_("rows"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.STARTED)
    started_at = models.DateTimeField(_("started"), auto_now_add=True, db_index=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("export")
        verbose_name_plural = _("export log")

    def __str__(self):
        return f"{self.username}: {self.table} ({self.format}, {self.get_status_display()})"


class DataVersion(models.Model):
    """One row holding a token that changes with every write to what the pages show (services.data_changed, called
    by the services and by signals.py). Rendered tables and charts are cached under it (operations/caching.py), so
    a cached rendering can never be served for data that has changed since. A random token, not a counter: after a
    rollback or a restore the token goes back with the data it belongs to."""

    token = models.BigIntegerField()
    # When the token last changed: the version date a citation of the dataset gives (operations/citation.py).
    changed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("data version")

    def __str__(self):
        return f"data version {self.token}"
