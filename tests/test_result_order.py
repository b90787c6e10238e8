"""The results table's default order, kept on each participation (operation start date and name), always equals its
operation's: after the reference load, saves, renames, date changes, history restores and imports."""

import datetime

import pytest
from django.db.models import F

from operations import queries
from operations.models import Country, Operation, Participation

pytestmark = pytest.mark.django_db


def joined_order():
    """The order the kept keys stand for, read through the join (written independently of the kept keys)."""
    return list(
        Participation.objects.order_by(
            F("operation__start_date").desc(nulls_last=True), "operation__name", "pk"
        ).values_list("pk", flat=True)
    )


def assert_kept_order_is_exact():
    stale = Participation.objects.exclude(operation_name=F("operation__name")) | Participation.objects.exclude(
        operation_sort_date=F("operation__start_date")
    ).exclude(operation__start_date__isnull=True, operation_sort_date=datetime.date.min)
    assert list(stale.values_list("pk", flat=True)) == []
    assert list(queries.results_for_filtering().values_list("pk", flat=True)) == joined_order()


@pytest.fixture
def synthetic():
    operation = Operation.objects.create(
        name="Synthetic order test", slug="synthetic-order-test", start_date=datetime.date(2019, 5, 1)
    )
    for iso2 in ("BR", "AR"):
        Participation.objects.create(operation=operation, country=Country.objects.get(iso2=iso2))
    return operation


def test_the_reference_data_keeps_each_operations_order_on_its_countries():
    assert Participation.objects.count() > 100
    assert_kept_order_is_exact()


def test_a_new_participation_takes_its_operations_date_and_name(synthetic):
    assert set(synthetic.participations.values_list("operation_sort_date", "operation_name")) == {
        (datetime.date(2019, 5, 1), "Synthetic order test")
    }
    assert_kept_order_is_exact()


def test_renaming_or_redating_an_operation_moves_its_countries_in_the_results_order(synthetic):
    synthetic.name = "Synthetic order test renamed"
    synthetic.start_date = datetime.date(2026, 1, 1)
    synthetic.save()
    assert_kept_order_is_exact()
    first = queries.results_for_filtering().first()
    assert first.operation == synthetic


def test_an_operation_with_no_known_date_sorts_last(synthetic):
    synthetic.start_date = None
    synthetic.save()
    assert_kept_order_is_exact()
    last = list(queries.results_for_filtering())[-2:]
    assert {participation.operation for participation in last} == {synthetic}


def test_moving_a_participation_to_another_operation_takes_that_operations_order(synthetic):
    other = Operation.objects.create(name="Synthetic order other", slug="synthetic-order-other")  # no known date
    participation = synthetic.participations.first()
    participation.operation = other
    participation.save(update_fields=["operation"])
    assert_kept_order_is_exact()
    participation.refresh_from_db()
    assert (participation.operation_sort_date, participation.operation_name) == (datetime.date.min, other.name)


def test_a_partial_save_that_leaves_the_operation_alone_does_not_load_it(synthetic):
    """The importer changes roles with save(update_fields=["role"]): one query per row, not two."""
    participation = Participation.objects.get(pk=synthetic.participations.first().pk)
    participation.role = "command_centre"
    participation.save(update_fields=["role"])
    assert not Participation.operation.is_cached(participation)
    assert_kept_order_is_exact()


def test_restoring_an_earlier_name_from_history_restores_the_order(synthetic):
    original = synthetic.history.earliest()
    synthetic.name = "Synthetic order test renamed"
    synthetic.save()
    original.instance.save()
    assert Operation.objects.get(pk=synthetic.pk).name == "Synthetic order test"
    assert_kept_order_is_exact()


def test_an_import_writes_the_order_of_new_and_updated_operations():
    from tests.helpers.importing import csv_bytes, run

    def import_dated(start_date):
        source = {"source_url": "https://example.org/synthetic-order"}
        operations = [
            {"name": "Synthetic import order", "start_date": start_date, "source_title": "Synthetic", **source}
        ]
        results = [
            {"operation": "Synthetic import order", "country": country, "arrests": "3", **source}
            for country in ("Brazil", "Chile")
        ]
        report = run(csv_bytes("operations", operations), csv_bytes("country_results", results))
        assert report.ok, report.summary()

    import_dated("2020-01-01")
    assert_kept_order_is_exact()
    import_dated("2027-03-01")
    assert_kept_order_is_exact()
    assert queries.results_for_filtering().first().operation.name == "Synthetic import order"
