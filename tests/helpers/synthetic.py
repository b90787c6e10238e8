"""Synthetic data for budget tests: more of everything, so that a per-row query shows as a growing count."""

from operations import services
from operations.figures import Figure, Qualifier
from operations.models import Country, Operation, Participation, Source


def add_synthetic_operations(count=12, countries=6):
    """More operations, countries and figures: a page whose query count grows with them has a per-row query."""
    source = Source.objects.create(publisher="Synthetic budget source", url="https://example.org/synthetic-budget")
    every = list(Country.objects.order_by("iso2")[:40])
    for number in range(count):
        operation = Operation.objects.create(
            name=f"Synthetic budget operation {number:02d}", slug=f"synthetic-budget-{number:02d}", year=2020
        )
        operation.sources.add(source)
        for index in range(countries):
            participation = Participation.objects.create(
                operation=operation, country=every[(number * countries + index) % len(every)]
            )
            services.record_figure(
                operation=operation,
                participation=participation,
                metric="victims_rescued",
                figure=Figure(10 + index, Qualifier.APPROX if index % 2 else Qualifier.EXACT),
                source=source,
            )
