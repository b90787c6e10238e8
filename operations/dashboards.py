"""The dashboards' choices (overview filters, what the map shades) and their charts, drawn from queries.py data."""

from django import forms
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from . import charts
from .figures import grouped
from .filters import FilterForm, OperationFilter, region_choices
from .models import METRICS, Operation

ROLE = "role"
OPERATIONS = "operations"


def _metric_choices():
    return [(metric.value, metric.label) for metric in METRICS]


class MapChoiceForm(forms.Form):
    """What an operation's map shades its countries by: one of the metrics, or their role."""

    map = forms.ChoiceField(
        label=_("Shade the map by"),
        required=False,
        choices=lambda: [*_metric_choices(), (ROLE, _("role (participant or command centre)"))],
    )


class OverviewForm(FilterForm):
    """The overview's form: the filters' fields (added by OverviewFilter) and what its map and ranking show."""

    field_order = ["year_from", "year_to", "region", "map", "top"]
    map = forms.ChoiceField(
        label=_("Shade the map by"),
        required=False,
        choices=lambda: [(OPERATIONS, _("number of operations")), *_metric_choices()],
    )
    top = forms.ChoiceField(
        label=_("Rank countries by"),
        required=False,
        choices=lambda: [(OPERATIONS, _("number of operations")), *_metric_choices()],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # home.html loops over the options itself, and {% for %} takes their len(), which django-filter's iterator
        # over a callable cannot give: hand it the list (the field adds the empty choice).
        self.fields["region"].choices = region_choices()

    def clean(self):
        cleaned = super().clean()
        cleaned["map"] = cleaned.get("map") or OPERATIONS
        cleaned["top"] = cleaned.get("top") or METRICS[0].value
        return cleaned


class OverviewFilter(OperationFilter):
    """The overview's filters are /operations/' year range and region, the same filters: a year or a region selects
    the same operations on both pages and in the overview's data package."""

    SHARED = ("year_from", "year_to", "region")

    class Meta(OperationFilter.Meta):
        form = OverviewForm

    def __init__(self, data=None, queryset=None, **kwargs):
        super().__init__(data, queryset=Operation.objects.all() if queryset is None else queryset, **kwargs)
        self.filters = {name: self.filters[name] for name in self.SHARED}

    def filter_queryset(self, queryset):
        # The form's other fields (map, top) choose what the page shows, not which operations.
        for name in self.SHARED:
            queryset = self.filters[name].filter(queryset, self.form.cleaned_data[name])
        return queryset


def choice_label(key):
    """The words for a map or ranking choice: a metric's label, "number of operations" or "role"."""
    labels = {OPERATIONS: gettext("number of operations"), ROLE: gettext("role"), **dict(_metric_choices())}
    return str(labels[key])


def _count(number):
    return grouped(number)


# --- Operation dashboard ----------------------------------------------------------------------------------------


def default_map_key(dashboard):
    """Victims rescued where a country has that figure, else the first metric some country has, else role."""
    charted = dashboard.charted_breakdowns
    return charted[0].metric.value if charted else ROLE


def country_tooltip(row):
    """ "Brazil (command centre): victims rescued nearly 100; arrests 20" — the country and its figures."""
    role = gettext("command centre") if row.is_command_centre else gettext("participant")
    figures = [f"{metric.label} {value.figure}" for metric, value in row.cells if value.known]
    details = "; ".join(figures) if figures else gettext("no figures reported")
    return f"{row.country} ({role}): {details}"


def operation_map(dashboard, key):
    """The operation's countries shaded by a metric (or all alike by role), command centres highlighted."""
    shaded = {}
    for row in dashboard.countries:
        value = None if key == ROLE else row.values[key].figure.value
        shaded[row.country.iso2] = (value, country_tooltip(row))
    title = gettext("Participating countries of %(operation)s, shaded by %(figure)s") % {
        "operation": dashboard.operation.name,
        "figure": choice_label(key),
    }
    return charts.world_map(
        shaded,
        title=title,
        highlight=[country.iso2 for country in dashboard.command_centres],
        legend_label=choice_label(key),
        no_figure_label=gettext("participant") if key == ROLE else None,
        zoom=True,
    )


def unmappable_countries(countries):
    """The countries the map can draw neither as a shape nor as a marker, for the page to name in text."""
    missing = set(charts.unmappable(country.iso2 for country in countries))
    return [country for country in countries if country.iso2 in missing]


def breakdown_charts(dashboard):
    """(breakdown, bar chart, sentence) per metric some country has a figure for: the charts on one grid (the same
    label and figure room, so their bars start at one x), and a sentence instead of a chart where one country alone
    has a figure (a single full-width bar says less than "Only Cambodia has a figure of its own: 16")."""
    rows = {
        breakdown.metric: [(str(row.country), value.figure.value, str(value.figure)) for row, value in breakdown.rows]
        for breakdown in dashboard.charted_breakdowns
    }
    label_width, value_width = charts.bar_layout([chart_rows for chart_rows in rows.values() if len(chart_rows) > 1])
    result = []
    for breakdown in dashboard.charted_breakdowns:
        chart_rows = rows[breakdown.metric]
        if len(chart_rows) == 1:
            sentence = gettext("Only %(country)s has a figure of its own for %(figure)s: %(value)s.") % {
                "country": chart_rows[0][0],
                "figure": breakdown.metric.label,
                "value": chart_rows[0][2],
            }
            result.append((breakdown, None, sentence))
            continue
        title = gettext("%(figure)s by country, %(operation)s") % {
            "figure": breakdown.metric.label.capitalize(),
            "operation": dashboard.operation.name,
        }
        chart = charts.bar_chart(
            chart_rows,
            title=title,
            value_label=breakdown.metric.label,
            label_width=label_width,
            value_width=value_width,
        )
        result.append((breakdown, chart, None))
    return result


# --- Overview ---------------------------------------------------------------------------------------------------


def overview_charts(overview, *, map_key, zoom=False):
    """Column charts per year and per region, and the map of participating countries."""
    years = overview.years
    series = [
        (
            [(row.label, row.operations, _count(row.operations)) for row in years],
            gettext("Operations per year"),
            gettext("operations"),
        ),
    ]
    for metric in METRICS[:2]:  # victims rescued and arrests: the two figures nearly every source gives
        series.append(
            (
                [(row.label, row.totals[metric.value].value, str(row.totals[metric.value].figure)) for row in years],
                gettext("%(figure)s per year") % {"figure": metric.label.capitalize()},
                metric.label,
            )
        )
    # The per-year charts stand side by side: one layout, so their baselines and year labels line up. "year unknown"
    # does not fit under a column among a dozen years: "?" there, explained on the chart.
    abbreviations = {row.label: "?" for row in years if row.key is None}
    layout = charts.column_layout([rows for rows, _, _ in series], abbreviations)
    per_year = [
        charts.column_chart(rows, title=title, value_label=label, layout=layout, abbreviations=abbreviations)
        for rows, title, label in series
    ]
    per_region = charts.column_chart(
        [(row.label, row.operations, _count(row.operations)) for row in overview.regions],
        title=gettext("Operations per region (with at least one participating country in it)"),
        value_label=gettext("operations"),
    )
    shaded = {}
    for row in overview.countries:
        value = row.operations if map_key == OPERATIONS else row.totals[map_key].value
        shaded[row.key] = (value, overview_tooltip(row))
    world = charts.world_map(
        shaded,
        title=gettext("Participating countries shaded by %(figure)s") % {"figure": choice_label(map_key)},
        legend_label=choice_label(map_key),
        zoom=zoom,
    )
    return {"per_year": per_year, "per_region": per_region, "map": world}


def overview_tooltip(row):
    """ "Brazil: 17 operations; victims rescued at least 440 (7 unknown)"."""
    operations = ngettext("%(count)s operation", "%(count)s operations", row.operations) % {
        "count": _count(row.operations)
    }
    figures = [
        f"{metric.label} {row.totals[metric.value]}" for metric in METRICS if row.totals[metric.value].value is not None
    ]
    return f"{row.label}: " + "; ".join([operations, *figures])
