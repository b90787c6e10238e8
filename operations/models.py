"""Countries, operations, their participating countries, sources and the figures each source reports."""

import re
from datetime import date
from functools import cache
from urllib.parse import quote

from django.conf import settings
from django.db import models, transaction
from django.db.models import F, Q
from django.urls import get_script_prefix, reverse
from django.utils.text import slugify
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .countries import localized_name, localized_subregion, normalize_name
from .figures import Figure, FigureTotal, Metric, Qualifier, read_total, read_totals

METRICS = tuple(Metric)

_SLOT = "__slot__"


@cache
def _url_around_slot(viewname, kwarg, script_prefix):
    return reverse(viewname, kwargs={kwarg: _SLOT}).split(_SLOT)


def url_with(viewname, kwarg, value):
    """reverse() for the detail pages, which the list pages link from every row: the URL is reversed once per
    view (and script prefix) around a placeholder, then each value is put in its place (a 100-row page spent ~10 ms
    in reverse())."""
    before, after = _url_around_slot(viewname, kwarg, get_script_prefix())
    return f"{before}{quote(value, safe='')}{after}"


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
        return url_with("operations:country_detail", "iso2", self.iso2.lower())

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


def source_key(publisher: str, published, taken) -> str:
    """A new source's key, in the data package's id pattern (`^[a-z0-9]+(-[a-z0-9]+)*$`): publisher and date,
    made unique against `taken` (a set of keys, or a callable saying whether a key is taken)."""
    is_taken = taken if callable(taken) else taken.__contains__
    text = f"{publisher} {published.isoformat() if published else ''}"
    base = "-".join(re.findall(r"[a-z0-9]+", slugify(text)))[:80] or "source"
    key, n = base, 2
    while is_taken(key):
        key, n = f"{base}-{n}", n + 1
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


def _preferred_figure_fields():
    """Per metric, the denormalised preferred figure: a nullable value column, a qualifier column and the source the
    preferred ReportedFigure cites (NULL exactly when the value is)."""
    fields = {}
    for metric in METRICS:
        fields[metric.value] = models.PositiveBigIntegerField(
            metric.label, null=True, blank=True, editable=False, db_index=True
        )
        fields[f"{metric.value}_qualifier"] = models.CharField(
            _("qualifier"), max_length=10, choices=Qualifier.choices, blank=True, editable=False
        )
        # Kept so the export reads a figure's source URL through a primary-key join instead of looking the preferred
        # ReportedFigure up per row and metric (that lookup was half the export's query time at a million rows).
        # PROTECT, not SET_NULL: the preferred ReportedFigure already PROTECTs this source, so a source still carried
        # here cannot be deleted anyway; SET_NULL could only ever fire on a copy that had gone stale, and would then
        # silently leave a value without its source. PROTECT refuses the deletion and names the rows instead.
        fields[f"{metric.value}_source"] = models.ForeignKey(
            Source,
            on_delete=models.PROTECT,
            null=True,
            blank=True,
            editable=False,
            related_name="+",
            verbose_name=_("source"),
            # Not indexed: only deleting a source reads by it (PROTECT), rare enough for a scan; four indexes on
            # every participation were ~5 MB of a 100,000-row database.
            db_index=False,
        )
    return fields


def _preferred_figure_constraints(prefix):
    """A value has a qualifier and an unknown value has none, for every metric."""
    return [
        models.CheckConstraint(
            condition=Q(**{f"{m.value}__isnull": True, f"{m.value}_qualifier": ""})
            | (Q(**{f"{m.value}__isnull": False}) & ~Q(**{f"{m.value}_qualifier": ""})),
            name=f"{prefix}_{m.value}_qualified",
        )
        for m in METRICS
    ]


class FigureMixin:
    """figure(metric) and figures for a model carrying the preferred figure columns of every metric."""

    def figure(self, metric) -> Figure:
        """The preferred figure for a metric as a Figure ("nearly 700")."""
        metric = Metric(metric)
        value = getattr(self, metric.value)
        return Figure(value, getattr(self, f"{metric.value}_qualifier") or Qualifier.EXACT)

    @property
    def figures(self) -> dict:
        return {metric.value: self.figure(metric) for metric in METRICS}


class PreferredFigures(FigureMixin, models.Model):
    """Preferred figure per metric, copied from ReportedFigure by services.refresh_preferred_figures()."""

    class Meta:
        abstract = True


# The per-metric columns, derived from METRICS (a fifth metric is one line in figures.Metric plus a migration).
for _name, _field in _preferred_figure_fields().items():
    PreferredFigures.add_to_class(_name, _field)


class DatePrecision(models.TextChoices):
    DAY = "day", _("day")
    MONTH = "month", _("month")
    YEAR = "year", _("year")
    UNKNOWN = "unknown", _("unknown")


class OperationQuerySet(models.QuerySet):
    def for_list(self):
        """What a list of operations shows, in one query: preferred figures are columns, so nothing per row."""
        return self.annotate(countries_named=models.Count("participations", distinct=True)).order_by(
            F("start_date").desc(nulls_last=True), "name"
        )


class Operation(PreferredFigures):
    """A police operation against human trafficking, as its sources describe it."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    coordinator = models.CharField(
        _("coordinator"), max_length=300, blank=True, help_text=_("Who led or coordinated it: INTERPOL, Europol, ...")
    )
    area = models.CharField(_("area"), max_length=300, blank=True, help_text=_("The region as the sources name it."))
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True, db_index=True)
    start_date = models.DateField(_("start date"), null=True, blank=True, db_index=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    date_precision = models.CharField(
        _("date precision"), max_length=10, choices=DatePrecision.choices, default=DatePrecision.DAY
    )
    countries_reported = models.PositiveSmallIntegerField(
        _("countries (reported)"),
        null=True,
        blank=True,
        help_text=_("The number of participating countries the sources report, which may exceed those they name."),
    )
    command_centres = models.CharField(_("command centre(s)"), max_length=300, blank=True)
    exploitation_forms = models.ManyToManyField(
        ExploitationForm, blank=True, related_name="operations", verbose_name=_("forms of exploitation")
    )
    exploitation_text = models.CharField(_("exploitation (as reported)"), max_length=500, blank=True)
    summary = models.TextField(_("summary"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    is_single_country = models.BooleanField(_("single-country operation"), default=False)
    is_verified = models.BooleanField(
        _("verified"),
        default=True,
        help_text=_("Unticked when the only source is a secondary report not checked against the agency's release."),
    )
    # The page the operation's facts (dates, area, coordinator) come from: `facts_source` in the data package.
    facts_source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("source of the facts"),
        help_text=_("The page that gives the operation's dates, area and coordinator."),
    )
    sources = models.ManyToManyField(Source, blank=True, related_name="operations", verbose_name=_("sources"))
    # Optimistic concurrency: every write through the admin or the importer bumps it (services.bump_version); an admin
    # form that was opened at an older version is refused instead of silently overwriting the newer edit.
    version = models.PositiveIntegerField(_("version"), default=0, editable=False)
    history = HistoricalRecords(m2m_fields=[exploitation_forms, sources])

    objects = OperationQuerySet.as_manager()

    class Meta:
        ordering = [F("start_date").desc(nulls_last=True), "name"]
        verbose_name = _("operation")
        verbose_name_plural = _("operations")
        permissions = [("export_figures", _("Can export tables (CSV, XLSX)"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(start_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="operation_end_after_start",
            ),
            *_preferred_figure_constraints("operation"),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        with transaction.atomic(using=kwargs.get("using")):
            super().save(*args, **kwargs)
            # The results table's order is kept on each participation (Participation.operation_sort_date): follow
            # a new date or name. One UPDATE, of nothing when neither changed.
            keys = Participation.operation_order(self)
            self.participations.exclude(**keys).update(**keys)

    def get_absolute_url(self):
        return url_with("operations:operation_detail", "slug", self.slug)


class Role(models.TextChoices):
    PARTICIPANT = "participant", _("participant")
    COMMAND_CENTRE = "command_centre", _("command centre")


class Participation(PreferredFigures):
    """A country's part in an operation, with its own figures where a source gives them."""

    # No index of their own (docs/performance.md "Disk"): participation_unique_country starts with the operation, the
    # pc_* indexes with the country; role has two values and no query reads by it alone.
    operation = models.ForeignKey(Operation, on_delete=models.CASCADE, related_name="participations", db_index=False)
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="participations", db_index=False)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.PARTICIPANT)
    notes = models.TextField(_("notes"), blank=True, help_text=_("What the sources say about this country's part."))
    source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("source"),
        help_text=_("The page that names this country as taking part; empty if none is stored."),
    )
    # The results table's default order (operation start date, latest first and unknown last; then operation name),
    # kept on the row so that one index gives it: sorting a million rows through a join to the operation cost
    # seconds before the first row of an export, and of every first view. Unknown dates are kept as date.min so that
    # a plain descending index puts them last on SQLite and PostgreSQL alike. Written by save() here and in
    # Operation.save(), and by the bulk writers (importer, loader); tests/test_result_order.py pins them.
    operation_sort_date = models.DateField(editable=False, default=date.min)
    operation_name = models.CharField(max_length=200, editable=False, default="")
    # History is read by operation (dashboards' last correction, restoring a deleted operation) and by row (admin):
    # only those two columns are indexed.
    history = HistoricalRecords(
        excluded_fields=["operation_sort_date", "operation_name"],
        no_db_index=["country", "role", "source", *(f"{m.value}{end}" for m in METRICS for end in ("", "_source"))],
    )

    class Meta:
        ordering = ["operation", "country__name"]
        verbose_name = _("participating country")
        verbose_name_plural = _("participating countries")
        constraints = [
            models.UniqueConstraint(fields=["operation", "country"], name="participation_unique_country"),
            *_preferred_figure_constraints("participation"),
        ]
        # /results/?country=BR&sort=-arrests and a country page sorted by a figure: filter and order in one index.
        indexes = [
            *(models.Index(fields=["country", metric.value], name=f"pc_{metric.value}") for metric in METRICS),
            models.Index(fields=["-operation_sort_date", "operation_name", "id"], name="participation_result_order"),
        ]

    def __str__(self):
        return f"{self.operation} – {self.country}"

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        # A partial save that leaves the operation alone keeps the order it has (and loads no operation).
        if update_fields is None or "operation" in update_fields or "operation_id" in update_fields:
            for name, value in self.operation_order(self.operation).items():
                setattr(self, name, value)
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "operation_sort_date", "operation_name"}
        super().save(*args, **kwargs)

    @staticmethod
    def operation_order(operation) -> dict:
        """The operation's sort keys as a participation keeps them."""
        return {"operation_sort_date": operation.start_date or date.min, "operation_name": operation.name}


class Origin(models.TextChoices):
    REFERENCE = "reference", _("reference data")
    IMPORT = "import", _("spreadsheet import")
    MANUAL = "manual", _("entered by an editor")


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
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="figures", verbose_name=_("source"))
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
            models.CheckConstraint(condition=Q(qualifier__in=Qualifier.values), name="figure_known_qualifier"),
            models.CheckConstraint(condition=Q(metric__in=Metric.values), name="figure_known_metric"),
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

    class Meta:
        verbose_name = _("data version")

    def __str__(self):
        return f"data version {self.token}"
