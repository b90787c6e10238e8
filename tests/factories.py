"""factory_boy factories: a test states only the fields it is about; figures are recorded through services.py.

Countries come from the migration (every ISO country exists in the test database): pick one with `country("BR")`.
"""

import factory
from factory.django import DjangoModelFactory

from operations import services
from operations.figures import Figure
from operations.models import Country, Operation, Participation, ReportedFigure, Source


def country(iso2):
    return Country.objects.get(iso2=iso2)


class SourceFactory(DjangoModelFactory):
    class Meta:
        model = Source
        django_get_or_create = ["publisher", "url"]

    publisher = "Synthetic test source"
    url = "https://example.org/synthetic"


class OperationFactory(DjangoModelFactory):
    class Meta:
        model = Operation

    year = 2099
    name = factory.Sequence(lambda n: f"Synthetic operation {n:04d}")
    slug = factory.Sequence(lambda n: f"synthetic-{n:04d}")


class ParticipationFactory(DjangoModelFactory):
    class Meta:
        model = Participation

    operation = factory.SubFactory(OperationFactory)
    country = factory.LazyFunction(lambda: country("BR"))


class ReportedFigureFactory(DjangoModelFactory):
    """A reported value, recorded as the editors' and the importer's writes record it (services.record_figure), so
    the denormalised preferred values follow. `figure` is a Figure or its text ("nearly 700")."""

    class Meta:
        model = ReportedFigure

    operation = factory.SubFactory(OperationFactory)
    participation = None
    metric = "victims_rescued"
    figure = "10"
    source = factory.SubFactory(SourceFactory)

    @classmethod
    def _create(cls, model_class, *, figure, **kwargs):
        figure = figure if isinstance(figure, Figure) else Figure.parse(figure)
        return services.record_figure(figure=figure, **kwargs)


def synthetic_operations(count, *, year=2099, figures=None, **fields):
    """`count` synthetic operations in `year`, each with the figures `figures(i)` returns ({metric: Figure})."""
    source = SourceFactory()
    operations = []
    for i in range(count):
        operation = OperationFactory(
            name=f"Synthetic operation {year}-{i:03d}", slug=f"synthetic-{year}-{i:03d}", year=year, **fields
        )
        for metric, figure in (figures(i) if figures else {}).items():
            if figure.value is not None:
                ReportedFigureFactory(operation=operation, metric=metric, figure=figure, source=source)
        operations.append(operation)
    return operations
