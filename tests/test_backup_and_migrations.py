"""No data lost: a dump and restore round trip keeps figures, sources and history; migrations reverse to zero."""

import io
from xml.etree import ElementTree

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from operations.models import Operation, Participation, ReportedFigure, Source

# The documented backup command (README "Backup and restore"), as arguments.
# XML rather than JSON: Django's JSON encoder cuts datetimes to milliseconds, which would alter history timestamps.
BACKUP_ARGS = ["--format", "xml", "--natural-foreign", "--natural-primary"]
BACKUP_ARGS += ["-e", "contenttypes", "-e", "auth.permission", "-e", "sessions", "-e", "admin.logentry", "-e", "axes"]


def snapshot():
    """Everything a restore must give back identically, keyed by natural values rather than ids."""
    return {
        "operations": sorted(
            Operation.objects.values_list("name", "victims_rescued", "victims_rescued_qualifier", "arrests")
        ),
        "participations": sorted(Participation.objects.values_list("operation__name", "country__iso2", "role")),
        "figures": sorted(
            ReportedFigure.objects.values_list(
                "operation__name", "participation__country__iso2", "metric", "value", "qualifier", "source__url"
            ),
            key=repr,
        ),
        "sources": sorted(Source.objects.values_list("publisher", "title", "url", "published"), key=repr),
        "history": sorted(
            ReportedFigure.history.values_list("history_type", "value", "metric", "history_date"), key=repr
        ),
    }


@pytest.mark.slow
@pytest.mark.django_db
def test_dump_and_restore_round_trip_gives_identical_figures_sources_and_history(tmp_path):
    libertad = Operation.objects.get(name="Operation Libertad")
    figure = libertad.reported_figures.get(metric="arrests", participation=None, is_preferred=True)
    figure.quote = "edited to leave a history record"
    figure.save()
    before = snapshot()
    dump = io.StringIO()
    call_command("dumpdata", *BACKUP_ARGS, stdout=dump)
    ElementTree.fromstring(dump.getvalue())  # a well-formed XML document

    # Restore into an emptied database, as after a loss: data first, then every history table (deleting the data
    # itself writes "deleted" history records).
    Operation.objects.all().delete()
    Source.objects.all().delete()
    for model in (Operation, Participation, ReportedFigure, Source):
        model.history.all().delete()
    assert snapshot()["figures"] == []

    backup = tmp_path / "backup.xml"
    backup.write_text(dump.getvalue(), encoding="utf-8")
    call_command("loaddata", str(backup), verbosity=0)
    assert snapshot() == before


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_migrations_reverse_to_zero_and_forward_again():
    executor = MigrationExecutor(connection)
    app_leaf = [key for key in executor.loader.graph.leaf_nodes() if key[0] == "operations"]
    executor.migrate([("operations", None)])
    assert "operations_operation" not in connection.introspection.table_names()
    executor = MigrationExecutor(connection)
    executor.migrate(app_leaf)
    assert "operations_operation" in connection.introspection.table_names()
    from operations.models import Country

    assert Country.objects.filter(iso2="CW").exists()  # the data migration ran again
