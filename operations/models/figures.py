"""Every value each source reports for a figure (ReportedFigure), one of them preferred."""

import functools
import operator

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..figures import Figure, Metric, Qualifier
from .operations import Operation, Participation
from .sources import Source


class Origin(models.TextChoices):
    REFERENCE = "reference", _("reference data")
    IMPORT = "import", _("spreadsheet import")
    MANUAL = "manual", _("entered by an editor")


def _any_of(field, values) -> Q:
    """field = a OR field = b OR ...: the same rule as field IN (a, b, ...) for a NOT NULL column."""
    return functools.reduce(operator.or_, (Q(**{field: value}) for value in values))


class ReportedFigure(models.Model):
    """One value one source gives for one metric of an operation (or of one country in it). Conflicts are kept."""

    # No index of its own: figure_unique_report starts with the operation.
    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="reported_figures", db_index=False)
    participation = models.ForeignKey(
        Participation,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reported_figures",
        help_text=_("Empty for an operation-wide figure."),
    )
    metric = models.CharField(_("metric"), max_length=30, choices=Metric.choices)
    value = models.PositiveBigIntegerField(_("value"))
    qualifier = models.CharField(_("qualifier"), max_length=10, choices=Qualifier.choices, default=Qualifier.EXACT)
    # Not indexed (3.7 MB at medium): only deleting a source reads figures by it (PROTECT), a scan on a rare
    # superuser action; no page, filter or API reads figures by source.
    source = models.ForeignKey(
        Source, on_delete=models.PROTECT, related_name="figures", verbose_name=_("source"), db_index=False
    )
    # The number phrase as the source prints it ("nearly 700", "250+", "más de 2 700"); value and qualifier are its
    # reading. Empty for figures entered without one.
    stated_as = models.CharField(_("stated as"), max_length=100, blank=True)
    quote = models.TextField(_("quote"), blank=True, help_text=_("The source's words behind the figure."))
    note = models.TextField(
        _("note"), blank=True, help_text=_("What the source's number counts, where the metric does not say it.")
    )
    is_preferred = models.BooleanField(_("preferred"), default=False)
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.MANUAL, editable=False)
    # Which reference-data cell this figure came from; `load_reference` skips keys it finds, so an editor's
    # correction of a reference figure is never overwritten by reloading.
    # Indexed where it is set (figure_reference_key): imported and entered figures have none.
    reference_key = models.CharField(max_length=300, blank=True, editable=False)
    # Not indexed: only deleting a user reads by it (SET_NULL), and that is rare.
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        db_index=False,
    )
    updated_at = models.DateTimeField(auto_now=True)
    # Read by operation and by row, as Participation's history.
    history = HistoricalRecords(no_db_index=["participation", "source", "updated_by", "reference_key"])

    class Meta:
        ordering = ["operation", "participation", "metric", "-is_preferred", "pk"]
        verbose_name = _("reported figure")
        verbose_name_plural = _("reported figures")
        constraints = [
            # OR chains, not IN lists: SQLite builds an ephemeral table for an IN list at every run of a statement,
            # which an executemany does per row (1.1 s of CPU per 300,000 imported figures; 0.05 s as OR chains).
            models.CheckConstraint(condition=_any_of("qualifier", Qualifier.values), name="figure_known_qualifier"),
            models.CheckConstraint(condition=_any_of("metric", Metric.values), name="figure_known_metric"),
            # One preferred value per figure: per operation-wide metric, and per country's metric.
            models.UniqueConstraint(
                fields=["operation", "metric"],
                condition=Q(is_preferred=True, participation__isnull=True),
                name="figure_one_preferred_per_operation_metric",
            ),
            models.UniqueConstraint(
                fields=["participation", "metric"],
                condition=Q(is_preferred=True, participation__isnull=False),
                name="figure_one_preferred_per_country_metric",
            ),
            # The same source cannot report the same value twice for the same figure.
            models.UniqueConstraint(
                fields=["operation", "participation", "metric", "source", "value", "qualifier"],
                name="figure_unique_report",
            ),
        ]
        indexes = [models.Index(fields=["reference_key"], condition=~Q(reference_key=""), name="figure_reference_key")]

    def __str__(self):
        return f"{self.get_metric_display()}: {self.as_figure()}"

    def as_figure(self) -> Figure:
        return Figure(self.value, self.qualifier)
