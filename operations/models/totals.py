"""Kept aggregates: per-country qualified totals and per-region operation counts, refreshed by services."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from ..figures import FigureTotal, read_total, read_totals
from .base import METRICS
from .geography import Country


def _country_total_fields():
    """Per metric, the parts of its qualified total (figures.TOTAL_PARTS): the sum of the known preferred values, and
    how many of them are known, approximate and lower bounds."""
    fields = {}
    for metric in METRICS:
        # NULL when no part is known: an unknown total sorts last and shows "—", it is never 0.
        fields[f"{metric.value}_sum"] = models.PositiveBigIntegerField(metric.label, null=True, blank=True)
        fields[f"{metric.value}_known"] = models.PositiveIntegerField(_("known parts"), default=0)
        fields[f"{metric.value}_approx"] = models.PositiveIntegerField(_("approximate parts"), default=0)
        fields[f"{metric.value}_lower_bound"] = models.PositiveIntegerField(_("lower-bound parts"), default=0)
    return fields


class CountryTotal(models.Model):
    """Kept aggregate: one row per country that took part in any operation, with its number of operations and, per
    metric, the parts of its qualified total (figures.TOTAL_PARTS). Written only by services.refresh_country_totals(),
    so /countries/ and the overview read 250 rows instead of grouping a million participations per request."""

    country = models.OneToOneField(
        Country, on_delete=models.CASCADE, primary_key=True, related_name="total", verbose_name=_("country")
    )
    operations = models.PositiveIntegerField(_("operations"), default=0)

    class Meta:
        verbose_name = _("country total")
        verbose_name_plural = _("country totals")
        ordering = ["country"]

    def __str__(self):
        return f"{self.country_id}: {self.operations} operations"

    def figure_total(self, metric) -> FigureTotal:
        """The country's qualified total for a metric (unknown parts = operations - known parts)."""
        return read_total(self, metric, count="operations")

    @property
    def figure_totals(self) -> dict:
        return read_totals(self, count="operations")


for _name, _field in _country_total_fields().items():
    CountryTotal.add_to_class(_name, _field)


class RegionTotal(models.Model):
    """Kept aggregate: how many distinct operations named a country of each UN M49 region ("" = no region).

    A region's figure totals and country count are sums of its countries' CountryTotal rows; only the number of
    distinct operations cannot be summed (an operation with five European countries is one European operation), so it
    is kept here, refreshed by services.refresh_country_totals() when a country's number of operations changes."""

    region = models.CharField(_("region"), max_length=20, primary_key=True, blank=True)
    operations = models.PositiveIntegerField(_("operations"), default=0)

    class Meta:
        ordering = ["region"]
        verbose_name = _("region total")
        verbose_name_plural = _("region totals")

    def __str__(self):
        return f"{self.region or '-'}: {self.operations} operations"
