"""Database-level constraints: broken directly with the ORM, bypassing forms, they raise IntegrityError."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from operations.models import METRICS, Country, Operation, Participation, ReportedFigure, Source

pytestmark = pytest.mark.django_db


@pytest.fixture
def operation():
    return Operation.objects.create(name="Synthetic test operation", slug="synthetic-test-operation")


@pytest.fixture
def source():
    return Source.objects.create(publisher="Synthetic test publisher", url="https://example.org/synthetic")


def raises_integrity_error(action):
    with pytest.raises(IntegrityError), transaction.atomic():
        action()


def test_end_date_before_start_date_is_refused():
    raises_integrity_error(
        lambda: Operation.objects.create(
            name="Backwards",
            slug="backwards",
            start_date=datetime.date(2022, 6, 17),
            end_date=datetime.date(2022, 6, 1),
        )
    )


def test_a_country_takes_part_in_an_operation_once(operation):
    brazil = Country.objects.get(iso2="BR")
    Participation.objects.create(operation=operation, country=brazil)
    raises_integrity_error(lambda: Participation.objects.create(operation=operation, country=brazil))


def test_negative_reported_figure_is_refused(operation, source):
    raises_integrity_error(
        lambda: ReportedFigure.objects.create(operation=operation, metric="arrests", value=-1, source=source)
    )


def test_negative_preferred_value_is_refused(operation):
    raises_integrity_error(
        lambda: Operation.objects.filter(pk=operation.pk).update(arrests=-5, arrests_qualifier="exact")
    )


@pytest.mark.parametrize("metric", [metric.value for metric in METRICS])
def test_negative_preferred_values_are_refused_for_operations_and_countries(operation, metric):
    participation = Participation.objects.create(operation=operation, country=Country.objects.get(iso2="BR"))
    for model, pk in ((Operation, operation.pk), (Participation, participation.pk)):
        raises_integrity_error(
            lambda: model.objects.filter(pk=pk).update(**{metric: -1, f"{metric}_qualifier": "exact"})  # noqa: B023
        )


def test_negative_number_of_reported_countries_is_refused(operation):
    raises_integrity_error(lambda: Operation.objects.filter(pk=operation.pk).update(countries_reported=-1))


def test_preferred_value_without_qualifier_is_refused(operation):
    raises_integrity_error(lambda: Operation.objects.filter(pk=operation.pk).update(arrests=5, arrests_qualifier=""))


def test_unknown_qualifier_is_refused(operation, source):
    raises_integrity_error(
        lambda: ReportedFigure.objects.create(
            operation=operation, metric="arrests", value=1, qualifier="roughly", source=source
        )
    )


def test_two_preferred_values_for_one_operation_figure_are_refused(operation, source):
    other = Source.objects.create(publisher="Another synthetic publisher", url="https://example.org/other")
    ReportedFigure.objects.create(operation=operation, metric="arrests", value=10, source=source, is_preferred=True)
    raises_integrity_error(
        lambda: ReportedFigure.objects.create(
            operation=operation, metric="arrests", value=12, source=other, is_preferred=True
        )
    )


def test_two_preferred_values_for_one_country_figure_are_refused(operation, source):
    participation = Participation.objects.create(operation=operation, country=Country.objects.get(iso2="SV"))
    ReportedFigure.objects.create(
        operation=operation, participation=participation, metric="arrests", value=27, source=source, is_preferred=True
    )
    raises_integrity_error(
        lambda: ReportedFigure.objects.create(
            operation=operation,
            participation=participation,
            metric="arrests",
            value=14,
            source=source,
            is_preferred=True,
        )
    )


def test_a_figure_needs_a_source(operation):
    raises_integrity_error(lambda: ReportedFigure.objects.create(operation=operation, metric="arrests", value=3))


def test_operation_names_are_unique(operation):
    raises_integrity_error(lambda: Operation.objects.create(name=operation.name, slug="another-slug"))


def test_unknown_figures_are_null_not_zero(operation):
    operation.refresh_from_db()
    assert operation.victims_rescued is None
    assert str(operation.figure("victims_rescued")) == "—"
