"""Sources (the publications figures are read in) and the forms of exploitation operations target."""

import re

from django.db import models
from django.db.models import Q
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

EXPLOITATION_FORMS = [
    ("sexual-exploitation", _("sexual exploitation")),
    ("forced-labour", _("forced labour")),
    ("forced-criminality", _("forced criminality")),
    ("child-labour", _("child labour")),
    ("child-exploitation", _("other child exploitation")),
    ("forced-begging", _("forced begging")),
    ("domestic-servitude", _("domestic servitude")),
    ("organ-removal", _("organ removal")),
    ("migrant-smuggling", _("migrant smuggling")),
]


class ExploitationForm(models.Model):
    """A form of exploitation an operation targeted (sexual exploitation, forced labour, ...)."""

    slug = models.SlugField(unique=True)
    name = models.CharField(_("name"), max_length=80, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("form of exploitation")
        verbose_name_plural = _("forms of exploitation")

    def __str__(self):
        return str(_EXPLOITATION_NAMES.get(self.slug, self.name))


_EXPLOITATION_NAMES = dict(EXPLOITATION_FORMS)


def source_key(publisher: str, published, taken, counters=None) -> str:
    """A new source's key, in the data package's id pattern (`^[a-z0-9]+(-[a-z0-9]+)*$`): publisher and date,
    made unique against `taken` (a set of keys, or a callable saying whether a key is taken). `counters` (a dict
    kept by a caller that makes many keys, none freed meanwhile): where the count of each base resumes, so N sources
    of one publisher and date cost N probes, not N²/2 (20,000 undated sources of one site: 46 s, measured)."""
    is_taken = taken if callable(taken) else taken.__contains__
    text = f"{publisher} {published.isoformat() if published else ''}"
    base = "-".join(re.findall(r"[a-z0-9]+", slugify(text)))[:80] or "source"
    key, n = base, 2
    if is_taken(key) and counters:
        n = counters.get(base, 2)
        key, n = f"{base}-{n}", n + 1
    while is_taken(key):
        key, n = f"{base}-{n}", n + 1
    if counters is not None:
        counters[base] = n
    if not callable(taken):
        taken.add(key)
    return key


class Source(models.Model):
    """A publication a figure was read in: a press release, a wire story, a news article."""

    # The data package's `sources.id` ("interpol-2023-12-11-turquesa-v"): what figures, participations and operations
    # cite a source by in a package, so an export and a re-import keep every citation.
    key = models.SlugField(
        _("key"),
        max_length=100,
        unique=True,
        blank=True,
        help_text=_("Short stable name of the source in data packages; made from the publisher and date if empty."),
    )
    publisher = models.CharField(_("publisher"), max_length=200)
    title = models.CharField(_("title"), max_length=500, blank=True)
    url = models.URLField(_("URL"), max_length=1000, blank=True)
    published = models.DateField(_("published"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True, help_text=_("ISO 639-1 code: en, es, fr."))
    is_primary = models.BooleanField(
        _("primary source"),
        default=False,
        help_text=_("The agency's own release (or a verbatim copy of it), as opposed to secondary press reports."),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-published", "publisher"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        constraints = [
            models.UniqueConstraint(fields=["url"], condition=~Q(url=""), name="source_unique_url"),
        ]

    def __str__(self):
        return f"{self.publisher}: {self.title}" if self.title else self.publisher

    def save(self, *args, **kwargs):
        if not self.key:
            others = Source.objects.exclude(pk=self.pk)
            self.key = source_key(self.publisher, self.published, lambda key: others.filter(key=key).exists())
        super().save(*args, **kwargs)
