"""The lists' tables: /operations/, /results/, /countries/ (and a country page's results), one class each, with
their figure columns derived from METRICS; plus the cells an operation's name carries (the unverified badge)."""

from functools import lru_cache

from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from ..countries import localized_name, name_order
from ..models import METRICS, Country, Operation, Participation, Region, Role
from ..periods import operation_period
from .base import TrackerTable
from .columns import FastColumn, LinkedColumn, figure_columns, nulls_last


def _wide_only(td_class, *, th="", breakpoint="lg"):
    """Attributes of a column a phone can do without: hidden below the `breakpoint`, in every row and the footer."""
    hide = f"d-none d-{breakpoint}-table-cell"
    return {"td": {"class": f"{td_class} {hide}"}, "th": {"class": f"{th} {hide}".strip()}, "tf": {"class": hide}}


def _with_figures(name, bases, attrs, *, total=False):
    """Build a Table class whose figure columns follow `attrs`' columns (tables2 reads columns at class creation)."""
    # tables2 reads `Meta` from the class's own namespace only, so hand the base's Meta on explicitly.
    attrs = {"Meta": bases[0].Meta, **attrs, **figure_columns(total=total), "__module__": __name__}
    return type(name, bases, attrs)


def unverified_badge(operation) -> str:
    """The "unverified" badge an operation resting on a single unchecked secondary report carries wherever it is
    named (lists, country pages, compare, dashboards, overview); "" for a verified one."""
    if operation.is_verified:
        return ""
    return format_html(
        ' <span class="badge text-bg-warning unverified-badge" title="{}">{}</span>',
        gettext("The only source is a secondary report not checked against the agency's own release."),
        gettext("unverified"),
    )


def coordinator_html(operation):
    # Coordinators are described at length ("INTERPOL (Project to Combat ...); operational coordination centre
    # at ..."); the cell shows the start, the tooltip the whole text.
    if not operation.coordinator:
        return None
    # Cut after a word, never inside one ("Uni…"); the dashboard the row links to gives the whole text.
    return format_html('<span title="{}">{}</span>', operation.coordinator, Truncator(operation.coordinator).words(8))


def period_html(operation):
    # Break after a spaced dash ("12 June – 3 July 2022") so the column stays narrow (the table must fit a 1280-pixel
    # screen); "May–June 2023" stays on one line.
    start, dash, end = operation_period(operation, unknown="—").partition(" – ")
    return format_html("{}{}<br>{}", start, dash, end) if dash else start


class _OperationColumns(TrackerTable):
    name = LinkedColumn(
        verbose_name=_("Operation"),
        url=Operation.get_absolute_url,
        after=unverified_badge,
        footer=lambda table: table.totals_label(),
        attrs={"td": {"class": "fw-semibold name-cell"}},
    )
    # Columns whose values repeat end their order with the primary key: PostgreSQL returns tied rows in any order,
    # so without it a page could repeat a row of the previous one and skip another.
    coordinator = FastColumn(
        verbose_name=_("Coordinator"),
        text=coordinator_html,
        order_by=("coordinator", "pk"),
        attrs=_wide_only("small coordinator-cell"),
    )
    period = FastColumn(
        verbose_name=_("Period"),
        accessor="start_date",
        text=period_html,
        order_by=("start_date", "end_date"),
        attrs={"td": {"class": "small text-nowrap"}},
    )
    area = FastColumn(
        verbose_name=_("Region (as reported)"), order_by=("area", "pk"), attrs=_wide_only("small", breakpoint="xxl")
    )
    countries_reported = FastColumn(
        verbose_name=_("Countries reported"), attrs=_wide_only("figure-cell", th="text-end", breakpoint="md")
    )
    countries_named = FastColumn(
        verbose_name=_("Countries named"), attrs=_wide_only("figure-cell", th="text-end", breakpoint="md")
    )

    class Meta(TrackerTable.Meta):
        model = Operation
        fields = ()
        row_attrs = {"data-slug": lambda record: record.slug}

    def order_period(self, queryset, is_descending):
        return nulls_last(queryset, "start_date", is_descending), True

    def order_countries_reported(self, queryset, is_descending):
        return nulls_last(queryset, "countries_reported", is_descending), True

    # Many operations name as many countries: without the primary key to break ties, PostgreSQL returns tied rows in
    # any order, so paging could show one twice and skip another (the API's cursors, which add it, found this).
    def order_countries_named(self, queryset, is_descending):
        return nulls_last(queryset, "countries_named", is_descending), True


def _by_country_name(queryset, field, is_descending):
    """Rows in the order of their country's name as the interface language sorts it (not the English name's bytes)."""
    order = name_order(field)
    return queryset.order_by(order.desc() if is_descending else order.asc(), "-pk" if is_descending else "pk")


OperationTable = _with_figures(
    "OperationTable", (_OperationColumns,), {"__doc__": "/operations/: one row per operation."}
)


def choice_labels(choices):
    """`label(value)` for a field's choices, each label translated once per interface language.

    get_FOO_display() rebuilds the field's choices on every call (~0.1 ms a row), and a lazy label is translated
    again wherever a cell compares or writes it: three catalogue lookups a row."""
    labels = dict(choices)

    @lru_cache(maxsize=8)
    def in_language(language):
        return {value: str(label) for value, label in labels.items()}

    return lambda value: in_language(get_language()).get(value, value)


_role_label = choice_labels(Role.choices)
_region_label = choice_labels(Region.choices)


class _ResultColumns(TrackerTable):
    operation = LinkedColumn(
        verbose_name=_("Operation"),
        url=lambda row: Operation.url_of(row.slug),
        text=lambda row: row.operation_name,
        after=unverified_badge,  # reads row.is_verified
        footer=lambda table: table.totals_label(),
        order_by=("operation__name", "pk"),
        attrs={"td": {"class": "fw-semibold name-cell"}},
    )
    year = FastColumn(verbose_name=_("Year"), accessor="year")
    country = LinkedColumn(
        verbose_name=_("Country"),
        url=lambda row: Country.url_of(row.iso2),
        text=lambda row: localized_name(row.iso2, row.country_name, get_language()),
        order_by=("country__name",),
    )
    role = FastColumn(verbose_name=_("Role"), text=lambda row: _role_label(row.role), order_by=("role", "pk"))

    # What a row shows (name -> lookup): the participation's own columns, its operation's and its country's.
    row_values = {
        "role": "role",
        **{name: name for metric in METRICS for name in (metric.value, f"{metric.value}_qualifier")},
        "operation_name": "operation_name",  # the operation's name, kept on the participation for its order
        "slug": "operation__slug",
        "year": "operation__year",
        "is_verified": "operation__is_verified",
        "iso2": "country__iso2",
        "country_name": "country__name",
    }

    class Meta(TrackerTable.Meta):
        model = Participation
        fields = ()
        row_attrs = {"data-operation": lambda record: record.slug, "data-country": lambda record: record.iso2}

    def order_year(self, queryset, is_descending):
        return nulls_last(queryset, "operation__year", is_descending), True

    def order_country(self, queryset, is_descending):
        return _by_country_name(queryset, "country__iso2", is_descending), True


ResultTable = _with_figures(
    "ResultTable", (_ResultColumns,), {"__doc__": "/results/: one row per operation x country."}
)


class _CountryColumns(TrackerTable):
    name = LinkedColumn(
        verbose_name=_("Country"),
        url=Country.get_absolute_url,
        text=str,  # the country's name in the interface language
        footer=lambda table: table.totals_label(),
        attrs={"td": {"class": "fw-semibold"}},
    )
    iso2 = FastColumn(verbose_name=_("ISO"))
    region = FastColumn(
        verbose_name=_("Region"),
        text=lambda record: _region_label(record.region),
        order_by=("region", "pk"),
    )
    subregion = FastColumn(
        verbose_name=_("Sub-region"), text=lambda record: record.localized_subregion(), order_by=("subregion", "pk")
    )
    operations_count = FastColumn(
        verbose_name=_("Operations"),
        order_by=("operations_count", "pk"),
        attrs={"td": {"class": "figure-cell"}, "th": {"class": "text-end"}},
    )

    class Meta(TrackerTable.Meta):
        model = Country
        fields = ()
        row_attrs = {"data-iso2": lambda record: record.iso2}

    def order_name(self, queryset, is_descending):
        return _by_country_name(queryset, "iso2", is_descending), True


CountryTable = _with_figures(
    "CountryTable",
    (_CountryColumns,),
    {"__doc__": "/countries/: one row per participating country, with its totals across operations."},
    total=True,
)
