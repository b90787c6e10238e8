"""The kept per-country totals (CountryTotal) always equal a fresh GROUP BY over the participations."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from operations import queries, services
from operations.figures import Figure, FigureTotal, Qualifier
from operations.filters import OperationFilter
from operations.models import METRICS, Country, CountryTotal, Operation, Participation, RegionTotal, Source
from tests.helpers.sync import assert_totals_exact

pytestmark = pytest.mark.django_db


@pytest.fixture
def synthetic():
    """A synthetic operation in Brazil and Argentina (two countries that also take part in reference operations)."""
    operation = Operation.objects.create(name="Synthetic totals test", slug="synthetic-totals-test")
    source = Source.objects.create(publisher="Synthetic source", url="https://example.org/synthetic-totals")
    brazil = Participation.objects.create(operation=operation, country=Country.objects.get(iso2="BR"))
    argentina = Participation.objects.create(operation=operation, country=Country.objects.get(iso2="AR"))
    return operation, source, brazil, argentina


def test_totals_after_the_reference_load_equal_a_fresh_group_by():
    assert CountryTotal.objects.exists()
    assert_totals_exact()


def test_creating_an_operation_and_countries_counts_them_with_unknown_figures(synthetic):
    operation, _, brazil, _ = synthetic
    assert_totals_exact()
    total = CountryTotal.objects.get(country=brazil.country)
    assert total.operations == Participation.objects.filter(country=brazil.country).count()


def test_recording_a_country_figure_adds_it_to_the_country_total(synthetic):
    operation, source, brazil, _ = synthetic
    before = CountryTotal.objects.get(country=brazil.country).figure_total("victims_rescued")
    services.record_figure(
        operation=operation,
        participation=brazil,
        metric="victims_rescued",
        figure=Figure(700, Qualifier.APPROX),
        source=source,
    )
    after = CountryTotal.objects.get(country=brazil.country).figure_total("victims_rescued")
    assert after.value == (before.value or 0) + 700
    assert after.approximate_parts == before.approximate_parts + 1
    assert after.unknown_parts == before.unknown_parts - 1
    assert_totals_exact()


def test_choosing_another_preferred_value_changes_the_country_total(synthetic):
    operation, source, brazil, _ = synthetic
    other = Source.objects.create(publisher="Synthetic other", url="https://example.org/synthetic-other")
    services.record_figure(
        operation=operation, participation=brazil, metric="arrests", figure=Figure(10), source=source
    )
    second = services.record_figure(
        operation=operation, participation=brazil, metric="arrests", figure=Figure(25, Qualifier.AT_LEAST), source=other
    )
    assert_totals_exact()
    services.set_preferred(second)
    assert_totals_exact()
    assert CountryTotal.objects.get(country=brazil.country).arrests_lower_bound >= 1


def test_deleting_a_preferred_figure_makes_the_part_unknown_again(synthetic):
    operation, source, brazil, _ = synthetic
    reported = services.record_figure(
        operation=operation, participation=brazil, metric="arrests", figure=Figure(12), source=source
    )
    services.delete_figure(reported)
    assert_totals_exact()


def test_deleting_a_participation_through_the_service_drops_it_from_the_country_total(synthetic):
    operation, source, _, argentina = synthetic
    services.record_figure(
        operation=operation, participation=argentina, metric="arrests", figure=Figure(40), source=source
    )
    services.delete_participation(argentina)
    assert_totals_exact()


def test_deleting_a_participation_directly_is_caught_by_the_receiver(synthetic):
    operation, source, _, argentina = synthetic
    services.record_figure(
        operation=operation, participation=argentina, metric="arrests", figure=Figure(40), source=source
    )
    argentina.delete()
    assert_totals_exact()


def test_deleting_an_operation_refreshes_every_country_it_named(synthetic):
    operation, source, brazil, argentina = synthetic
    for participation in (brazil, argentina):
        services.record_figure(
            operation=operation, participation=participation, metric="arrests", figure=Figure(5), source=source
        )
    services.delete_operation(operation)
    assert_totals_exact()


def test_deleting_an_operation_directly_is_caught_by_the_receiver(synthetic):
    operation, source, brazil, _ = synthetic
    services.record_figure(operation=operation, participation=brazil, metric="arrests", figure=Figure(5), source=source)
    operation.delete()
    assert_totals_exact()


def test_a_country_in_no_operation_any_more_has_no_total_row():
    operation = Operation.objects.create(name="Synthetic lone country", slug="synthetic-lone-country")
    # A country no reference operation names.
    lonely = Country.objects.exclude(participations__isnull=False).order_by("iso2").first()
    participation = Participation.objects.create(operation=operation, country=lonely)
    assert CountryTotal.objects.get(country=lonely).operations == 1
    services.delete_participation(participation)
    assert not CountryTotal.objects.filter(country=lonely).exists()
    assert_totals_exact()


def test_moving_a_participation_to_another_country_refreshes_both(synthetic):
    _, _, _, argentina = synthetic
    argentina.country = Country.objects.get(iso2="CL")
    argentina.save()
    assert_totals_exact()


def test_reloading_the_reference_data_keeps_the_totals_exact():
    call_command("load_reference", stdout=open("/dev/null", "w"))
    assert_totals_exact()


def test_rebuild_totals_repairs_totals_written_behind_the_services_back():
    CountryTotal.objects.update(operations=0, arrests_sum=None)
    call_command("rebuild_totals", stdout=open("/dev/null", "w"))
    assert_totals_exact()


def test_a_kept_total_reads_as_the_same_figure_total_as_figure_sum():
    brazil = Country.objects.get(iso2="BR")
    total = CountryTotal.objects.get(country=brazil)
    for metric in METRICS:
        figures = [p.figure(metric) for p in Participation.objects.filter(country=brazil)]
        assert total.figure_total(metric) == Figure.sum(figures)


def test_an_unknown_total_is_none_never_zero():
    operation = Operation.objects.create(name="Synthetic unknown total", slug="synthetic-unknown-total")
    lonely = Country.objects.exclude(participations__isnull=False).order_by("iso2").first()
    Participation.objects.create(operation=operation, country=lonely)
    total = CountryTotal.objects.get(country=lonely).figure_total("victims_rescued")
    assert total == FigureTotal(None, parts=1, unknown_parts=1)
    assert str(total) == "—"


def test_a_new_operation_counts_once_in_its_region_however_many_countries_it_names(synthetic):
    operation, _, brazil, argentina = synthetic
    assert_totals_exact()
    before = RegionTotal.objects.get(region="Americas").operations
    Participation.objects.create(operation=operation, country=Country.objects.get(iso2="CL"))
    assert RegionTotal.objects.get(region="Americas").operations == before
    assert_totals_exact()


@pytest.mark.parametrize("region", ["", "Americas"])
def test_the_overview_from_kept_totals_equals_a_fresh_grouping(region):
    operations = OperationFilter({"region": region}, queryset=Operation.objects.all()).qs
    assert queries._kept_region_and_country_rows(region) == queries._grouped_region_and_country_rows(
        operations.order_by(), region
    )


def test_an_import_keeps_the_totals_exact(tmp_path):
    """The small synthetic benchmark files (50 operations, 1,500 country rows) through the real importer."""
    from benchmarks.generate import generate
    from operations.importing import UploadedTable, import_files

    generate("small", tmp_path)
    report = import_files(
        UploadedTable.from_path(tmp_path / "operations.csv"),
        UploadedTable.from_path(tmp_path / "country_results.csv"),
        commit=True,
    )
    assert report.ok, report.summary()
    assert Participation.objects.filter(operation__name__startswith="Synthetic operation").count() == 1500
    assert_totals_exact()


def test_a_second_import_that_changes_figures_keeps_the_totals_exact(tmp_path):
    from operations.importing import UploadedTable, import_files

    header = "operation,country,role,victims_rescued,arrests,investigations_opened,migrants_identified,source_url\n"
    operations = (
        "name,coordinator,region,start_date,end_date,countries_count,victims_rescued,arrests,investigations_opened,"
        "migrants_identified,exploitation_types,summary,source_url,source_title,source_published\n"
        "Synthetic import totals,INTERPOL,synthetic,2020-01-01,2020-01-05,2,,,,,forced labour,Synthetic.,"
        "https://example.org/synthetic-import,Synthetic release,2020-02-01\n"
    )
    for victims in ("10", "nearly 700"):
        results = header + (
            f"Synthetic import totals,Brazil,participant,{victims},3,,,https://example.org/synthetic-import\n"
            "Synthetic import totals,Chile,participant,,250+,,,https://example.org/synthetic-import\n"
        )
        report = import_files(
            UploadedTable("operations.csv", operations.encode()),
            UploadedTable("country_results.csv", results.encode()),
            commit=True,
        )
        assert report.ok, report.summary()
        assert_totals_exact()


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"country": "BR"},
        {"region": "Americas"},
        {"region": "Europe", "country": "ES"},
        {"region": "Europe", "country": "BR"},
    ],
)
def test_results_totals_from_kept_totals_equal_aggregating_the_rows(synthetic, filters):
    """/results/ unfiltered or filtered by country and region sums the kept per-country totals; the same totals as
    aggregating the filtered participations (written on the synthetic operation's figures too)."""
    operation, source, brazil, _ = synthetic
    services.record_figure(
        operation=operation, participation=brazil, metric="arrests", figure=Figure(7, Qualifier.APPROX), source=source
    )
    cleaned = {name: Country.objects.get(iso2=value) if name == "country" else value for name, value in filters.items()}
    rows = queries.results_for_filtering()
    if "country" in cleaned:
        rows = rows.filter(country=cleaned["country"])
    if "region" in cleaned:
        rows = rows.filter(country__region=cleaned["region"])

    kept_totals = queries.result_totals(rows, cleaned)

    assert kept_totals == queries.figure_totals(rows)
    assert kept_totals["arrests"].parts == rows.count()


def test_results_page_reads_kept_totals_only_for_whole_country_filters(analyst_client, settings):
    settings.TRACKER_CACHE_SECONDS = 0  # the page rendered from the database
    cases = [("", False), ("?country=BR", False), ("?region=Europe", False), ("?year_from=2020", True)]
    for query, aggregates_participations in cases:
        with CaptureQueriesContext(connection) as captured:
            response = analyst_client.get(f"/results/{query}")
        assert response.status_code == 200
        sums = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT") and " SUM(" in q["sql"]]
        # The kept rows are read as they are (summed in Python, queries._summed_kept_totals).
        kept = [q["sql"] for q in captured.captured_queries if 'FROM "operations_countrytotal"' in q["sql"]]
        assert any('FROM "operations_participation"' in sql for sql in sums) == aggregates_participations, query
        assert bool(kept) != aggregates_participations, query
