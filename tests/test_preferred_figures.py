"""The denormalised preferred values always equal a fresh computation from the reported figures."""

import pytest
from django.db.models import ProtectedError

from operations import services
from operations.figures import Figure, Qualifier
from operations.models import METRICS, Country, Operation, Participation, Source
from tests.helpers.sync import assert_in_sync

pytestmark = pytest.mark.django_db


def test_every_reference_operation_is_in_sync():
    for operation in Operation.objects.all():
        assert_in_sync(operation)


@pytest.fixture
def synthetic():
    operation = Operation.objects.create(name="Synthetic sync test", slug="synthetic-sync-test")
    first = Source.objects.create(publisher="Synthetic A", url="https://example.org/a")
    second = Source.objects.create(publisher="Synthetic B", url="https://example.org/b")
    return operation, first, second


def test_first_report_becomes_preferred_and_a_conflicting_one_is_kept_beside_it(synthetic):
    operation, first, second = synthetic
    services.record_figure(operation=operation, metric="arrests", figure=Figure(300), source=first)
    services.record_figure(operation=operation, metric="arrests", figure=Figure(310, Qualifier.APPROX), source=second)
    operation.refresh_from_db()
    assert operation.figure("arrests") == Figure(300)
    assert operation.reported_figures.count() == 2
    assert_in_sync(operation)


def test_choosing_another_preferred_value_updates_the_operation(synthetic):
    operation, first, second = synthetic
    services.record_figure(operation=operation, metric="arrests", figure=Figure(300), source=first)
    other = services.record_figure(operation=operation, metric="arrests", figure=Figure(310), source=second)
    services.set_preferred(other)
    operation.refresh_from_db()
    assert operation.arrests == 310
    assert_in_sync(operation)


def test_country_figures_are_kept_per_participation(synthetic):
    operation, first, _ = synthetic
    participation = Participation.objects.create(operation=operation, country=Country.objects.get(iso2="BR"))
    services.record_figure(
        operation=operation, participation=participation, metric="victims_rescued", figure=Figure(5), source=first
    )
    participation.refresh_from_db()
    operation.refresh_from_db()
    assert participation.victims_rescued == 5
    assert operation.victims_rescued is None  # a country's figure is not the operation's total
    assert_in_sync(operation)


def test_deleting_the_preferred_figure_makes_it_unknown_again(synthetic):
    operation, first, _ = synthetic
    reported = services.record_figure(operation=operation, metric="arrests", figure=Figure(9), source=first)
    reported.delete()
    services.refresh_preferred_figures(operation)
    operation.refresh_from_db()
    assert operation.arrests is None
    assert_in_sync(operation)


def test_choosing_another_source_s_value_moves_the_kept_source_too(synthetic):
    operation, first, second = synthetic
    participation = Participation.objects.create(operation=operation, country=Country.objects.get(iso2="BR"))
    services.record_figure(
        operation=operation, participation=participation, metric="arrests", figure=Figure(7), source=first
    )
    other = services.record_figure(
        operation=operation, participation=participation, metric="arrests", figure=Figure(7), source=second
    )
    participation.refresh_from_db()
    assert participation.arrests_source_id == first.pk
    services.set_preferred(other)
    participation.refresh_from_db()
    # Same value and qualifier, another source: the kept source follows the preferred report.
    assert (participation.arrests, participation.arrests_source_id) == (7, second.pk)
    assert_in_sync(operation)


def test_a_source_carried_by_a_preferred_figure_cannot_be_deleted(synthetic):
    operation, first, _ = synthetic
    services.record_figure(operation=operation, metric="arrests", figure=Figure(9), source=first)
    with pytest.raises(ProtectedError):
        first.delete()
    assert_in_sync(operation)


def test_once_no_figure_cites_a_source_it_can_be_deleted_and_nothing_refers_to_it(synthetic):
    operation, first, second = synthetic
    reported = services.record_figure(operation=operation, metric="arrests", figure=Figure(9), source=first)
    services.record_figure(operation=operation, metric="arrests", figure=Figure(9), source=second, preferred=True)
    services.delete_figure(reported)
    first.delete()
    operation.refresh_from_db()
    assert operation.arrests_source_id == second.pk
    assert_in_sync(operation)


def test_the_data_migration_fills_the_sources_of_existing_rows(synthetic):
    """0009 fills the kept sources of rows written before the columns existed: empty them, run it, compare."""
    import importlib

    from django.apps import apps

    operation, first, _ = synthetic
    participation = Participation.objects.create(operation=operation, country=Country.objects.get(iso2="BR"))
    services.record_figure(operation=operation, metric="arrests", figure=Figure(9), source=first)
    services.record_figure(
        operation=operation, participation=participation, metric="victims_rescued", figure=Figure(3), source=first
    )
    emptied = {f"{metric.value}_source": None for metric in METRICS}
    Operation.objects.update(**emptied)
    Participation.objects.update(**emptied)
    migration = importlib.import_module("operations.migrations.0009_fill_preferred_figure_sources")
    migration.fill_sources(apps, None)
    for every in Operation.objects.all():
        assert_in_sync(every)
