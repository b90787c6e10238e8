"""The denormalised preferred values compared with a fresh computation from the reported figures."""

from operations.models import METRICS, ReportedFigure


def fresh_preferred(operation):
    """What the denormalised columns should hold, computed directly from ReportedFigure."""
    expected = {}
    for figure in ReportedFigure.objects.filter(operation=operation, is_preferred=True):
        expected[(figure.participation_id, figure.metric)] = (figure.value, figure.qualifier, figure.source_id)
    return expected


def assert_in_sync(operation):
    """Value, qualifier and source of every preferred figure of the operation and its countries, as kept on the rows,
    equal a fresh computation; an unknown figure has none of the three."""
    operation.refresh_from_db()
    expected = fresh_preferred(operation)
    targets = [(None, operation), *[(p.pk, p) for p in operation.participations.all()]]
    for participation_id, target in targets:
        for metric in METRICS:
            value, qualifier, source_id = expected.get((participation_id, metric.value), (None, "", None))
            kept = (
                getattr(target, metric.value),
                getattr(target, f"{metric.value}_qualifier"),
                getattr(target, f"{metric.value}_source_id"),
            )
            assert kept == (value, qualifier, source_id), (target, metric.value)
