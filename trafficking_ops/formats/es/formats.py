"""Spanish number formats: Django's, but thousands grouped with a point ("10.000"), as the Spanish-speaking police
services the tracker serves write them (Django's own Spanish format groups with a non-breaking space)."""

from django.conf.locale.es.formats import *  # noqa: F403

THOUSAND_SEPARATOR = "."
