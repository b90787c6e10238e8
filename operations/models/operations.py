"""Operations and their participating countries, each carrying its preferred figure per metric."""

from datetime import date

from django.db import models, transaction
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..figures import Figure, Metric, Qualifier
from .base import METRICS, url_with
from .geography import Country
from .sources import ExploitationForm, Source


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


# The default order of operations on every page and file: the latest first (unknown dates last), then by name.
NEWEST_FIRST = (F("start_date").desc(nulls_last=True), "name")


class OperationQuerySet(models.QuerySet):
    def for_list(self):
        """What a list of operations shows, in one query: preferred figures are columns, so nothing per row."""
        return self.annotate(countries_named=models.Count("participations", distinct=True)).order_by(*NEWEST_FIRST)


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
        ordering = list(NEWEST_FIRST)
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
        return self.url_of(self.slug)

    @staticmethod
    def url_of(slug):
        """The dashboard's URL for an operation's slug (rows read as values() link with it)."""
        return url_with("operations:operation_detail", "slug", slug)


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
    # Not indexed (1.0 MB at medium): only deleting a source reads by it (PROTECT), as the *_source columns.
    source = models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("source"),
        help_text=_("The page that names this country as taking part; empty if none is stored."),
        db_index=False,
    )
    # The results table's default order (operation start date, latest first and unknown last; then operation name),
    # kept on the row so that one index gives it: sorting a million rows through a join to the operation cost
    # seconds before the first row of an export, and of every first view. Unknown dates are kept as date.min so that
    # a plain descending index puts them last on SQLite and PostgreSQL alike. Written by save() here and in
    # Operation.save(), and by the bulk writers (importer, loader); tests/test_result_order.py pins them.
    operation_sort_date = models.DateField(editable=False, default=date.min)
    operation_name = models.CharField(max_length=200, editable=False, default="")
    # When an unattended import wrote the row, which it does without a history record: the row is its own first
    # version, recorded with this date just before its first change (services.COPY_ON_WRITE). NULL otherwise.
    imported_at = models.DateTimeField(null=True, blank=True, editable=False)
    # History is read by operation (dashboards' last correction, restoring a deleted operation) and by row (admin):
    # only those two columns are indexed.
    history = HistoricalRecords(
        excluded_fields=["operation_sort_date", "operation_name", "imported_at"],
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
