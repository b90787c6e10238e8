"""Regions (UN M49), countries (ISO 3166-1, from pycountry) and the other names sources use for them."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ..countries import localized_name, localized_subregion, normalize_name
from .base import url_with


class Region(models.TextChoices):
    """UN M49 regions (the top level of the M49 standard)."""

    AFRICA = "Africa", _("Africa")
    AMERICAS = "Americas", _("Americas")
    ASIA = "Asia", _("Asia")
    EUROPE = "Europe", _("Europe")
    OCEANIA = "Oceania", _("Oceania")


class Country(models.Model):
    """An ISO 3166-1 country or territory. Codes and names come from pycountry, regions from UN M49."""

    iso2 = models.CharField(_("ISO alpha-2"), max_length=2, unique=True)
    iso3 = models.CharField(_("ISO alpha-3"), max_length=3, unique=True)
    name = models.CharField(_("name"), max_length=100, unique=True)
    region = models.CharField(_("region"), max_length=20, choices=Region.choices, blank=True, db_index=True)
    subregion = models.CharField(_("sub-region"), max_length=60, blank=True, db_index=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")

    def __str__(self):
        return self.localized_name

    def get_absolute_url(self):
        return self.url_of(self.iso2)

    @staticmethod
    def url_of(iso2):
        """The country page's URL for an ISO code (rows read as values() link with it)."""
        return url_with("operations:country_detail", "iso2", iso2.lower())

    @property
    def localized_name(self):
        """The name in the active interface language ("Brasil", "Brésil"); `name` stays the English one."""
        return localized_name(self.iso2, self.name, get_language())

    def localized_subregion(self):
        """The UN M49 sub-region in the active interface language; `subregion` stays the English one."""
        return localized_subregion(self.subregion, get_language())


class CountryAlias(models.Model):
    """Another name a source uses for a country ("Ivory Coast", "Brasil", "Türkiye"), matched case- and accent-blind."""

    country = models.ForeignKey(Country, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(_("alias"), max_length=150)
    # Lower-cased, accent-stripped, punctuation-free form; the lookup key.
    normalized = models.CharField(max_length=150, unique=True, editable=False)

    class Meta:
        ordering = ["normalized"]
        verbose_name = _("country alias")
        verbose_name_plural = _("country aliases")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.normalized = normalize_name(self.name)
        super().save(*args, **kwargs)


# The forms of exploitation the tracker classifies operations by, shipped with the app (see migrations).
