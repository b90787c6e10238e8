"""Every exported table's columns, derived from METRICS, and the list of exports (SPECS)."""

from __future__ import annotations

from django.db.models import Case, Value, When
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from ..models import METRICS, Region, Role
from .specs import (
    BOOLEAN,
    CODE,
    DATE,
    INTEGER,
    TEXT,
    URL,
    ExportColumn,
    ExportSpec,
    ResultsExportSpec,
    TotalsExportSpec,
)

# --- Column specs, derived from METRICS -----------------------------------------------------------------------


def figure_columns() -> list[ExportColumn]:
    """Value, qualifier and source URL of the preferred figure, for each metric in METRICS, in that order. All three
    are kept on the row (services.refresh_preferred_figures), so the URL is a join on the source's primary key: the
    correlated lookup of the preferred ReportedFigure it replaced was half the export's query time."""
    columns = []
    for metric in METRICS:
        columns += [
            ExportColumn(
                metric.value,
                metric.value,
                INTEGER,
                format_lazy(
                    _("{metric}: the preferred figure as a plain whole number; empty when no source gives it."),
                    metric=metric.label,
                ),
            ),
            ExportColumn(
                f"{metric.value}_qualifier",
                f"{metric.value}_qualifier",
                CODE,
                format_lazy(
                    _("How the source qualifies {metric} (a qualifier code below); empty when the figure is unknown."),
                    metric=metric.label,
                ),
            ),
            ExportColumn(
                f"{metric.value}_source_url",
                f"{metric.value}_source__url",
                URL,
                format_lazy(_("Where the preferred {metric} figure was published."), metric=metric.label),
            ),
        ]
    return columns


def _choices(choices) -> str:
    return ", ".join(choices.values)


OPERATION_COLUMNS = (
    ExportColumn("operation", "name", TEXT, _("The operation's name.")),
    ExportColumn("operation_slug", "slug", CODE, _("The operation's stable identifier, as in its page address.")),
    ExportColumn("year", "year", INTEGER, _("The year the operation took place.")),
    ExportColumn("start_date", "start_date", DATE, _("First day of the operation (of its first phase).")),
    ExportColumn("end_date", "end_date", DATE, _("Last day of the operation.")),
    ExportColumn("coordinator", "coordinator", TEXT, _("Who led or coordinated it (INTERPOL, Europol, ...).")),
    ExportColumn("area", "area", TEXT, _("The region as the sources name it.")),
    ExportColumn(
        "countries_reported",
        "countries_reported",
        INTEGER,
        _("The number of participating countries the sources report, which may exceed those they name."),
    ),
    ExportColumn(
        "countries_named",
        "countries_named",
        INTEGER,
        _("The number of participating countries the tracker names (rows in the results table)."),
    ),
    ExportColumn(
        "verified",
        "export_verified",
        BOOLEAN,
        _("false when the only source is a secondary report not checked against the agency's release."),
        expression=Case(When(is_verified=True, then=Value("true")), default=Value("false")),
    ),
)

COUNTRY_COLUMNS = (
    ExportColumn("country", "country__name", TEXT, _("The country's English short name (ISO 3166-1).")),
    ExportColumn("country_iso2", "country__iso2", CODE, _("ISO 3166-1 alpha-2 code.")),
    ExportColumn("country_iso3", "country__iso3", CODE, _("ISO 3166-1 alpha-3 code.")),
    ExportColumn(
        "region",
        "country__region",
        CODE,
        format_lazy(_("UN M49 region: {choices}."), choices=_choices(Region)),
    ),
)

PARTICIPATION_COLUMNS = (
    ExportColumn("operation", "operation__name", TEXT, _("The operation's name.")),
    ExportColumn("operation_slug", "operation__slug", CODE, _("The operation's stable identifier.")),
    ExportColumn("year", "operation__year", INTEGER, _("The year the operation took place.")),
    ExportColumn(
        "verified",
        "operation__is_verified",
        BOOLEAN,
        _("false when the operation's only source is a secondary report not checked against the agency's release."),
    ),
    *COUNTRY_COLUMNS,
    ExportColumn(
        "role",
        "role",
        CODE,
        format_lazy(_("The country's part in the operation: {choices}."), choices=_choices(Role)),
    ),
)

OPERATIONS = ExportSpec(
    "operations",
    _("Operations"),
    _("One row per operation, with its operation-wide figures."),
    (*OPERATION_COLUMNS, *figure_columns()),
)
RESULTS = ResultsExportSpec(
    "results",
    _("Results by country"),
    _("One row per country taking part in an operation, with the figures a source gives for that country."),
    (*PARTICIPATION_COLUMNS, *figure_columns()),
)
# A country's page and an operation's page list the same rows as the results table, narrowed to one country or one
# operation; their files keep every column so they can be stacked with a results export.
COUNTRY_RESULTS = ResultsExportSpec(
    "country_results",
    _("A country's operations"),
    _("The results table narrowed to one country (its page)."),
    RESULTS.columns,
)


def total_columns() -> list[ExportColumn]:
    """Per metric: the total of the known figures, its qualifier, and how many figures are known and unknown."""
    columns = []
    for metric in METRICS:
        label = metric.label
        columns += [
            ExportColumn(
                metric.value,
                f"{metric.value}_sum",
                INTEGER,
                format_lazy(
                    _("{metric}: the sum of the figures known for this country's operations; empty when none is."),
                    metric=label,
                ),
            ),
            ExportColumn(
                f"{metric.value}_qualifier",
                f"{metric.value}_qualifier",
                CODE,
                format_lazy(
                    _(
                        "How to read the {metric} total: at_least when a part is unknown or a lower bound, approx when "
                        "a part is approximate, else exact."
                    ),
                    metric=label,
                ),
            ),
            ExportColumn(
                f"{metric.value}_known_parts",
                f"{metric.value}_known",
                INTEGER,
                format_lazy(_("How many of this country's operations give a {metric} figure."), metric=label),
            ),
            ExportColumn(
                f"{metric.value}_unknown_parts",
                f"{metric.value}_unknown",
                INTEGER,
                format_lazy(
                    _("How many of this country's operations give no {metric} figure (not counted as zero)."),
                    metric=label,
                ),
            ),
        ]
    return columns


_COUNTRY_LIST_LEADING = (
    ExportColumn("country", "name", TEXT, _("The country's English short name (ISO 3166-1).")),
    ExportColumn("country_iso2", "iso2", CODE, _("ISO 3166-1 alpha-2 code.")),
    ExportColumn("country_iso3", "iso3", CODE, _("ISO 3166-1 alpha-3 code.")),
    ExportColumn("region", "region", CODE, format_lazy(_("UN M49 region: {choices}."), choices=_choices(Region))),
    ExportColumn("subregion", "subregion", TEXT, _("UN M49 sub-region.")),
    ExportColumn("operations", "operations_count", INTEGER, _("The number of operations the country took part in.")),
)
COUNTRIES = TotalsExportSpec(
    "countries",
    _("Countries"),
    _(
        "One row per country that took part in an operation, with its totals across those operations. A total has no "
        "single source: export the results table for each figure's source."
    ),
    (*_COUNTRY_LIST_LEADING, *total_columns()),
    leading=len(_COUNTRY_LIST_LEADING),
)

SPECS = [OPERATIONS, RESULTS, COUNTRIES, COUNTRY_RESULTS]
