"""What the API returns, declared field by field (drf-spectacular writes the OpenAPI schema from these classes).

Every figure is an object built through operations/figures.py: value (null when unknown, never 0), qualifier, the
display text in the request's language, the source's own words (stated_as), and the preferred report's source and
quote. Rows are written by to_representation() directly from the prefetched rows: DRF's field-by-field path cost
more than the query for a 100-row page, and tests/test_api_fuzz.py checks every response against this schema."""

from django.utils.functional import cached_property
from django.utils.translation import get_language
from rest_framework import serializers

from ..countries import localized_name
from ..figures import Figure, Qualifier, read_total
from ..models import METRICS, DatePrecision, Region, Role


def _text_or_none(value):
    return value or None


class CitationSerializer(serializers.Serializer):
    title = serializers.CharField()
    version_date = serializers.DateField(allow_null=True)
    url = serializers.URLField()
    accessed = serializers.DateField()
    apa = serializers.CharField()
    bibtex = serializers.CharField()


class ResponseMetaSerializer(serializers.Serializer):
    """What every response carries: the data version it reflects and the citation of the dataset at that version."""

    data_version = serializers.CharField(allow_null=True, help_text="Changes with every write to the data.")
    version_date = serializers.DateTimeField(allow_null=True, help_text="When the data last changed.")
    citation = CitationSerializer()


def source_data(source) -> dict | None:
    if source is None:
        return None
    return {
        "id": source.pk,
        "key": source.key,
        "publisher": source.publisher,
        "title": source.title or None,
        "url": source.url or None,
        "published": source.published.isoformat() if source.published else None,
        "language": source.language or None,
        "is_primary": source.is_primary,
    }


def figure_data(figure: Figure, report=None) -> dict:
    """A figure object: `report` is the ReportedFigure behind it (None when no source gives it)."""
    known = figure.value is not None
    return {
        "value": figure.value,
        "qualifier": figure.qualifier if known else None,
        "text": str(figure) if known else None,
        "stated_as": _text_or_none(report.stated_as) if report is not None else None,
        "source": source_data(report.source) if report is not None else None,
        "quote": _text_or_none(report.quote) if report is not None else None,
        "note": _text_or_none(report.note) if report is not None else None,
    }


def report_data(figure: Figure, report: dict | None) -> dict:
    """figure_data() from a report read with values() (api/queries.py REPORT_VALUES), its source's fields beside."""
    if figure.value is None or report is None:
        return figure_data(figure)
    published = report["source__published"]
    return {
        "value": figure.value,
        "qualifier": figure.qualifier,
        "text": str(figure),
        "stated_as": report["stated_as"] or None,
        "source": {
            "id": report["source_id"],
            "key": report["source__key"],
            "publisher": report["source__publisher"],
            "title": report["source__title"] or None,
            "url": report["source__url"] or None,
            "published": published.isoformat() if published else None,
            "language": report["source__language"] or None,
            "is_primary": report["source__is_primary"],
        },
        "quote": report["quote"] or None,
        "note": report["note"] or None,
    }


def preferred_figures(row) -> dict:
    """{metric: figure object} of a row (operation or result) with its `preferred_reports` prefetched."""
    reports = {report.metric: report for report in row.preferred_reports}
    return {metric.value: figure_data(row.figure(metric), reports.get(metric.value)) for metric in METRICS}


class SourceSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    key = serializers.SlugField(help_text="The source's id in the data package.")
    publisher = serializers.CharField()
    title = serializers.CharField(allow_null=True)
    url = serializers.URLField(allow_null=True)
    published = serializers.DateField(allow_null=True)
    language = serializers.CharField(allow_null=True, help_text="ISO 639-1 code.")
    is_primary = serializers.BooleanField()

    def to_representation(self, instance):
        return source_data(instance)


class FigureSerializer(serializers.Serializer):
    value = serializers.IntegerField(allow_null=True, min_value=0, help_text="null when no source gives the figure.")
    qualifier = serializers.ChoiceField(choices=Qualifier.choices, allow_null=True)
    text = serializers.CharField(allow_null=True, help_text="As the pages show it, in the request's language.")
    stated_as = serializers.CharField(
        allow_null=True, help_text="The number as the source prints it (“nearly 700”, “más de 2 700”)."
    )
    source = SourceSerializer(allow_null=True, help_text="The source of the preferred report.")
    quote = serializers.CharField(allow_null=True, help_text="The source's words behind the figure.")
    note = serializers.CharField(
        allow_null=True, help_text="What the source's number counts, where the metric does not say."
    )


class ReportedFigureSerializer(FigureSerializer):
    """A figure with the other values sources give for it (conflicting reports), on detail responses."""

    conflicting = FigureSerializer(many=True)


class _PerMetric(serializers.Serializer):
    """One object per metric, keyed by the metric's name (fields derived from METRICS)."""

    item_class = FigureSerializer

    def get_fields(self):
        return {metric.value: self.item_class(label=metric.label) for metric in METRICS}


class FiguresSerializer(_PerMetric):
    item_class = FigureSerializer


class ReportedFiguresSerializer(_PerMetric):
    item_class = ReportedFigureSerializer


class FigureTotalSerializer(serializers.Serializer):
    value = serializers.IntegerField(allow_null=True, min_value=0, help_text="Sum of the known parts; null if none.")
    qualifier = serializers.ChoiceField(choices=Qualifier.choices, allow_null=True)
    text = serializers.CharField(allow_null=True, help_text="With its caveat, in the request's language.")
    parts = serializers.IntegerField(min_value=0)
    approximate_parts = serializers.IntegerField(min_value=0)
    lower_bound_parts = serializers.IntegerField(min_value=0)
    unknown_parts = serializers.IntegerField(min_value=0)


class FigureTotalsSerializer(_PerMetric):
    item_class = FigureTotalSerializer


def total_data(total) -> dict:
    known = total.value is not None
    return {
        "value": total.value,
        "qualifier": total.qualifier if known else None,
        "text": str(total) if known else None,
        "parts": total.parts,
        "approximate_parts": total.approximate_parts,
        "lower_bound_parts": total.lower_bound_parts,
        "unknown_parts": total.unknown_parts,
    }


class CountryBriefSerializer(serializers.Serializer):
    iso2 = serializers.CharField(min_length=2, max_length=2)
    iso3 = serializers.CharField(min_length=3, max_length=3)
    name = serializers.CharField(help_text="In the request's language.")


def country_brief(country) -> dict:
    return {"iso2": country.iso2, "iso3": country.iso3, "name": country.localized_name}


class OperationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    slug = serializers.SlugField()
    name = serializers.CharField()
    url = serializers.URLField(help_text="This operation in the API.")
    page_url = serializers.URLField(help_text="Its dashboard page.")
    coordinator = serializers.CharField(allow_null=True)
    area = serializers.CharField(allow_null=True, help_text="The region as the sources name it.")
    year = serializers.IntegerField(allow_null=True)
    start_date = serializers.DateField(allow_null=True)
    end_date = serializers.DateField(allow_null=True)
    date_precision = serializers.ChoiceField(choices=DatePrecision.choices)
    countries_reported = serializers.IntegerField(allow_null=True)
    command_centres = serializers.CharField(allow_null=True)
    exploitation_forms = serializers.ListField(child=serializers.SlugField())
    is_single_country = serializers.BooleanField()
    is_verified = serializers.BooleanField()
    figures = FiguresSerializer(help_text="Operation-wide figures, one per metric.")

    def to_representation(self, operation):
        request = self.context["request"]
        return {
            "id": operation.pk,
            "slug": operation.slug,
            "name": operation.name,
            "url": request.build_absolute_uri(f"{self.context['api_root']}operations/{operation.slug}/"),
            "page_url": request.build_absolute_uri(operation.get_absolute_url()),
            "coordinator": _text_or_none(operation.coordinator),
            "area": _text_or_none(operation.area),
            "year": operation.year,
            "start_date": operation.start_date.isoformat() if operation.start_date else None,
            "end_date": operation.end_date.isoformat() if operation.end_date else None,
            "date_precision": operation.date_precision,
            "countries_reported": operation.countries_reported,
            "command_centres": _text_or_none(operation.command_centres),
            "exploitation_forms": [form.slug for form in operation.exploitation_forms.all()],
            "is_single_country": operation.is_single_country,
            "is_verified": operation.is_verified,
            **self.figures_of(operation),
        }

    def figures_of(self, operation) -> dict:
        return {"figures": preferred_figures(operation)}


class OperationListSerializer(OperationSerializer):
    countries_named = serializers.IntegerField(min_value=0, help_text="Participating countries the sources name.")

    def to_representation(self, operation):
        return {**super().to_representation(operation), "countries_named": operation.countries_named}


def _reported(reports, figure) -> dict:
    """A figure object with its conflicting reports, from the reports of one slot (preferred first)."""
    preferred = next((report for report in reports if report.is_preferred), None)
    data = figure_data(figure, preferred)
    data["conflicting"] = [figure_data(report.as_figure(), report) for report in reports if report is not preferred]
    return data


def reported_figures(figure_of, reports) -> dict:
    """{metric: figure with conflicting reports}; `figure_of(metric)` is the preferred Figure (denormalised)."""
    by_metric = {}
    for report in reports:
        by_metric.setdefault(report.metric, []).append(report)
    return {metric.value: _reported(by_metric.get(metric.value, []), figure_of(metric)) for metric in METRICS}


class ParticipationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    country = CountryBriefSerializer()
    role = serializers.ChoiceField(choices=Role.choices)
    figures = ReportedFiguresSerializer(help_text="This country's own figures, one per metric.")


class OperationDetailSerializer(OperationSerializer):
    summary = serializers.CharField(allow_null=True)
    exploitation_text = serializers.CharField(allow_null=True)
    figures = ReportedFiguresSerializer(help_text="Operation-wide figures, one per metric, with conflicting reports.")
    countries = ParticipationSerializer(many=True)
    sources = SourceSerializer(many=True)

    def to_representation(self, operation):
        reports = {}
        for report in operation.reports:
            reports.setdefault(report.participation_id, []).append(report)
        return {
            **super().to_representation(operation),
            "summary": _text_or_none(operation.summary),
            "exploitation_text": _text_or_none(operation.exploitation_text),
            "countries": [
                {
                    "id": participation.pk,
                    "country": country_brief(participation.country),
                    "role": participation.role,
                    "figures": reported_figures(participation.figure, reports.get(participation.pk, [])),
                }
                for participation in operation.participations.all()
            ],
            "sources": [source_data(source) for source in operation.sources.all()],
        }

    def figures_of(self, operation) -> dict:
        own = [report for report in operation.reports if report.participation_id is None]
        return {"figures": reported_figures(operation.figure, own)}


class OperationBriefSerializer(serializers.Serializer):
    slug = serializers.SlugField()
    name = serializers.CharField()
    year = serializers.IntegerField(allow_null=True)
    start_date = serializers.DateField(allow_null=True)
    url = serializers.URLField()


class ResultSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    operation = OperationBriefSerializer()
    country = CountryBriefSerializer()
    role = serializers.ChoiceField(choices=Role.choices)
    figures = FiguresSerializer(help_text="The country's own figures in the operation, one per metric.")

    def to_representation(self, result):
        """`result`: a dict of api/queries.py's RESULT_VALUES with its `reports` (with_preferred_reports)."""
        slug, start = result["operation__slug"], result["operation__start_date"]
        reports = result["reports"]
        language = get_language()
        return {
            "id": result["pk"],
            "operation": {
                "slug": slug,
                "name": result["operation__name"],
                "year": result["operation__year"],
                "start_date": start.isoformat() if start else None,
                "url": f"{self.operations_url}{slug}/",
            },
            "country": {
                "iso2": result["country__iso2"],
                "iso3": result["country__iso3"],
                "name": localized_name(result["country__iso2"], result["country__name"], language),
            },
            "role": result["role"],
            "figures": {
                metric.value: report_data(
                    Figure(result[metric.value], result[f"{metric.value}_qualifier"] or Qualifier.EXACT),
                    reports.get(metric.value),
                )
                for metric in METRICS
            },
        }

    @cached_property
    def operations_url(self):
        return self.context["request"].build_absolute_uri(f"{self.context['api_root']}operations/")


class CountrySerializer(serializers.Serializer):
    iso2 = serializers.CharField(min_length=2, max_length=2)
    iso3 = serializers.CharField(min_length=3, max_length=3)
    name = serializers.CharField(help_text="In the request's language.")
    name_en = serializers.CharField()
    region = serializers.ChoiceField(choices=Region.choices, allow_null=True)
    subregion = serializers.CharField(allow_null=True, help_text="UN M49 name (English), as the filter takes it.")
    page_url = serializers.URLField()
    operations = serializers.IntegerField(min_value=0)
    totals = FigureTotalsSerializer(help_text="Qualified totals of the country's own figures across its operations.")

    def to_representation(self, country):
        return {
            "iso2": country.iso2,
            "iso3": country.iso3,
            "name": country.localized_name,
            "name_en": country.name,
            "region": country.region or None,
            "subregion": country.subregion or None,
            "page_url": self.context["request"].build_absolute_uri(country.get_absolute_url()),
            "operations": country.operations_count,
            "totals": {
                metric.value: total_data(read_total(country, metric, count="operations_count")) for metric in METRICS
            },
        }


class DeletionSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["operation", "result", "source", "country"])
    id = serializers.IntegerField()
    natural_key = serializers.CharField(
        allow_null=True, help_text="An operation's slug, a source's URL, a country's ISO alpha-2 code."
    )
    deleted_at = serializers.DateTimeField()

    def to_representation(self, row):
        return {
            "kind": row["kind"],
            "id": row["object_id"],
            "natural_key": row["natural_key"] or None,
            "deleted_at": serializers.DateTimeField().to_representation(row["deleted_at"]),
        }


# Detail responses: the object with the response's `meta` beside its fields.


class SourceDetailSerializer(SourceSerializer):
    meta = ResponseMetaSerializer()


class CountryDetailSerializer(CountrySerializer):
    meta = ResponseMetaSerializer()


class OperationResponseSerializer(OperationDetailSerializer):
    meta = ResponseMetaSerializer()
