"""The streaming importer (issue 19): batches written as they are checked, yet all or nothing; files past the
upload limit from the command line; progress on a terminal only; updates of stored rows; errors capped."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from operations import services
from operations.figures import Figure
from operations.importing import (
    COUNTRY_RESULTS,
    OPERATIONS,
    UploadedTable,
    engine,
    import_files,
    readers,
    report,
    writer,
)
from operations.models import Country, Operation, Participation, ReportedFigure, Role, Source
from tests.helpers.importing import (
    COUNTRY_ROWS,
    OPERATION_ROW,
    assert_rejected,
    csv_bytes,
    every_report,
    run,
    snapshot,
)

pytestmark = pytest.mark.django_db


def operations_rows(count):
    return [
        {**OPERATION_ROW, "name": f"Synthetic Operation {n:03d}", "source_url": f"https://example.org/s/{n}"}
        for n in range(count)
    ]


def country_rows(operation, countries=("BR", "AR", "CL", "PE", "UY")):
    return [
        {"operation": operation, "country": iso2, "victims_rescued": "1", "source_url": "https://example.org/c"}
        for iso2 in countries
    ]


def test_an_error_in_a_late_batch_rolls_back_the_batches_already_written(monkeypatch):
    monkeypatch.setattr(engine, "BATCH", 2)
    before = snapshot()
    rows = country_rows(OPERATION_ROW["name"])
    rows[-1] = {**rows[-1], "arrests": "a few"}
    report = run(csv_bytes(OPERATIONS, operations_rows(3) + [OPERATION_ROW]), csv_bytes(COUNTRY_RESULTS, rows))
    assert_rejected(report, before, ("country_results.csv", 6, "arrests", "not a figure"))


def test_a_sum_found_too_large_at_the_end_rolls_back_every_batch(monkeypatch):
    monkeypatch.setattr(engine, "BATCH", 2)
    before = snapshot()
    rows = [{**row, "victims_rescued": "200"} for row in country_rows(OPERATION_ROW["name"])]
    report = run(csv_bytes(OPERATIONS, [{**OPERATION_ROW, "victims_rescued": "500"}]), csv_bytes(COUNTRY_RESULTS, rows))
    assert_rejected(report, before, ("country_results.csv", 2, "victims_rescued", "add up to 1,000"))


def test_batches_write_the_same_as_one(monkeypatch):
    monkeypatch.setattr(engine, "BATCH", 2)
    report = run(
        csv_bytes(OPERATIONS, operations_rows(5)), csv_bytes(COUNTRY_RESULTS, country_rows("Synthetic Operation 004"))
    )
    assert report.ok, [str(error) for error in report.errors]
    assert report.operations["create"] == [f"Synthetic Operation {n:03d}" for n in range(5)]
    operation = Operation.objects.get(name="Synthetic Operation 004")
    assert operation.participations.count() == 5
    assert operation.history.count() == 1
    assert len(every_report(operation)) == 5 + 3  # countries' (implicit: services.implicit), operation's
    # Unattended, so the rows are their own first versions (history written on their first change).
    assert not Participation.history.filter(operation_id=operation.pk).exists()
    assert not ReportedFigure.history.filter(operation_id=operation.pk).exists()
    assert len({participation.operation_name for participation in operation.participations.all()}) == 1


def test_the_command_line_takes_files_past_the_upload_limit(monkeypatch, tmp_path):
    monkeypatch.setattr(readers, "MAX_ROWS", 3)
    before = snapshot()
    data = csv_bytes(OPERATIONS, operations_rows(5))
    assert_rejected(run(data), before, ("operations.csv", None, None, "more than 3 data rows"))
    path = tmp_path / "operations.csv"
    path.write_bytes(data)
    call_command("import_figures", str(path), stdout=io.StringIO())
    assert Operation.objects.filter(name__startswith="Synthetic Operation 0").count() == 5


class Terminal(io.StringIO):
    def isatty(self):
        return True


@pytest.mark.parametrize("output,shown", [(Terminal, True), (io.StringIO, False)], ids=["terminal", "pipe"])
def test_progress_is_shown_on_a_terminal_only(tmp_path, output, shown):
    path = tmp_path / "operations.csv"
    path.write_bytes(csv_bytes(OPERATIONS, operations_rows(3)))
    out = output()
    call_command("import_figures", str(path), stdout=out)
    assert ("3 rows checked" in out.getvalue()) is shown
    assert "operations 3 new" in out.getvalue()


def test_country_rows_update_stored_roles_and_figures_keeping_the_old_reports():
    run(csv_bytes(OPERATIONS, [OPERATION_ROW]), csv_bytes(COUNTRY_RESULTS, COUNTRY_ROWS))
    operation = Operation.objects.get(name=OPERATION_ROW["name"])
    version = operation.version
    changed = [{**COUNTRY_ROWS[0], "victims_rescued": "310", "role": "participant"}, COUNTRY_ROWS[1]]
    report = run(None, csv_bytes(COUNTRY_RESULTS, changed))
    assert report.ok, [str(error) for error in report.errors]
    assert report.countries == {"create": 0, "update": 1, "unchanged": 1}
    assert report.figures == 1
    brazil = operation.participations.get(country__iso2="BR")
    assert brazil.figure("victims_rescued") == Figure(310) and brazil.role == Role.PARTICIPANT
    assert brazil.reported_figures.filter(metric="victims_rescued").count() == 2
    assert brazil.history.first().history_change_reason == "spreadsheet import"
    operation.refresh_from_db()
    assert operation.version == version + 1


def test_the_countries_sum_counts_the_stored_countries_too():
    run(
        csv_bytes(OPERATIONS, [{**OPERATION_ROW, "victims_rescued": "500"}]),
        csv_bytes(COUNTRY_RESULTS, [COUNTRY_ROWS[0]]),
    )
    before = snapshot()
    more = {**COUNTRY_ROWS[0], "country": "AR", "victims_rescued": "250"}
    report = run(None, csv_bytes(COUNTRY_RESULTS, [more]))
    assert_rejected(report, before, ("country_results.csv", 2, "victims_rescued", "add up to 550"))


def test_errors_past_the_cap_are_counted_not_listed(monkeypatch, tmp_path):
    monkeypatch.setattr(report, "MAX_ERRORS", 3)
    before = snapshot()
    rows = [{**row, "arrests": "x"} for row in operations_rows(5)]
    result = run(csv_bytes(OPERATIONS, rows))
    assert_rejected(result, before, ("operations.csv", None, None, "only the first 3 are listed"))
    assert len(result.errors) == 4 and result.unlisted == 2
    path = tmp_path / "operations.csv"
    path.write_bytes(csv_bytes(OPERATIONS, rows))
    with pytest.raises(CommandError, match="^5 error"):
        call_command("import_figures", str(path), stdout=io.StringIO(), stderr=io.StringIO())


@pytest.mark.slow
def test_the_command_line_imports_more_than_100000_rows(tmp_path):
    path = tmp_path / "country_results.csv"
    countries = sorted(Country.objects.values_list("iso2", flat=True))[:201]
    rows = [
        {"operation": f"Synthetic Operation {n:03d}", "country": iso2, "arrests": "1", "source_url": "https://e.org/x"}
        for n in range(500)
        for iso2 in countries
    ]
    assert len(rows) > 100_000
    operations = tmp_path / "operations.csv"
    operations.write_bytes(csv_bytes(OPERATIONS, operations_rows(500)))
    path.write_bytes(csv_bytes(COUNTRY_RESULTS, rows))
    call_command("import_figures", str(operations), str(path), stdout=io.StringIO())
    assert Participation.objects.filter(operation__name__startswith="Synthetic Operation").count() == len(rows)


@pytest.mark.parametrize("rows_at_least", [1, 10_000])
def test_a_bulk_import_renews_postgresqls_planner_statistics_of_the_tables_it_wrote(monkeypatch, rows_at_least):
    """Right after a bulk import PostgreSQL would plan from empty statistics (a read of 50 results' reports scanned all
    of them); an import of at least ANALYZE_AFTER_ROWS country rows ANALYZEs what it wrote, a small one does not.
    SQLite plans without statistics: nothing to renew."""
    monkeypatch.setattr(writer, "ANALYZE_AFTER_ROWS", rows_at_least)
    with CaptureQueriesContext(connection) as captured:
        report = run(csv_bytes(OPERATIONS, [OPERATION_ROW]), csv_bytes(COUNTRY_RESULTS, COUNTRY_ROWS))
    assert report.committed, report.errors
    analyzed = [query["sql"] for query in captured.captured_queries if query["sql"].startswith("ANALYZE")]
    if connection.vendor == "postgresql" and len(COUNTRY_ROWS) >= rows_at_least:
        assert len(analyzed) == 1
        assert '"operations_reportedfigure"' in analyzed[0] and '"operations_participation"' in analyzed[0]
    else:
        assert analyzed == []


def bulk_tables_indexes():
    with connection.cursor() as cursor:
        return {
            model: connection.introspection.get_constraints(cursor, model._meta.db_table)
            for model in (Participation, ReportedFigure)
        }


def empty_bulk_tables():
    """A database before its first import: the reference data's operations (and so their rows) deleted."""
    Operation.objects.all().delete()
    assert not Participation.objects.exists() and not ReportedFigure.objects.exists()


def index_statements(captured, verb):
    return [query["sql"] for query in captured.captured_queries if query["sql"].startswith(verb)]


def test_a_first_import_into_empty_tables_builds_their_plain_indexes_once_after_the_rows():
    empty_bulk_tables()
    before = bulk_tables_indexes()
    with CaptureQueriesContext(connection) as captured:
        report = run(csv_bytes(OPERATIONS, [OPERATION_ROW]), csv_bytes(COUNTRY_RESULTS, COUNTRY_ROWS))
    assert report.committed, report.errors
    assert bulk_tables_indexes() == before
    dropped, created = index_statements(captured, "DROP INDEX"), index_statements(captured, "CREATE INDEX")
    if connection.vendor != "sqlite":  # PostgreSQL would lock readers out of the tables until the commit
        assert dropped == created == []
        return
    plain = {
        name for model in before.values() for name, index in model.items() if index["index"] and not index["unique"]
    }
    assert len(dropped) == len(created) == len(plain) >= 5
    statements = [query["sql"] for query in captured.captured_queries]

    def at(condition):
        return [position for position, sql in enumerate(statements) if condition(sql)]

    # The country rows' executemany ("N times: INSERT ..."), their figures' INSERT ... SELECT, the operation's own.
    rows = at(lambda sql: 'INSERT INTO "operations_participation"' in sql)
    rows += at(lambda sql: 'INSERT INTO "operations_reportedfigure"' in sql)
    drops, creates = at(lambda sql: sql.startswith("DROP INDEX")), at(lambda sql: sql.startswith("CREATE INDEX"))
    assert rows and max(drops) < min(rows) and max(rows) < min(creates)


def test_an_import_into_tables_that_have_rows_keeps_their_indexes():
    empty_bulk_tables()
    assert run(csv_bytes(OPERATIONS, [OPERATION_ROW]), csv_bytes(COUNTRY_RESULTS, COUNTRY_ROWS)).committed
    with CaptureQueriesContext(connection) as captured:
        report = run(
            csv_bytes(OPERATIONS, operations_rows(1)),
            csv_bytes(COUNTRY_RESULTS, country_rows("Synthetic Operation 000")),
        )
    assert report.committed, report.errors
    assert index_statements(captured, "DROP INDEX") == index_statements(captured, "CREATE INDEX") == []


def test_a_refused_first_import_leaves_the_empty_tables_their_indexes(monkeypatch):
    monkeypatch.setattr(engine, "BATCH", 2)
    empty_bulk_tables()
    before, indexes = snapshot(), bulk_tables_indexes()
    rows = country_rows(OPERATION_ROW["name"])
    rows[-1] = {**rows[-1], "arrests": "a few"}
    with CaptureQueriesContext(connection) as captured:
        report = run(csv_bytes(OPERATIONS, [OPERATION_ROW]), csv_bytes(COUNTRY_RESULTS, rows))
    assert_rejected(report, before, ("country_results.csv", 6, "arrests", "not a figure"))
    assert bulk_tables_indexes() == indexes
    assert bool(index_statements(captured, "DROP INDEX")) == (connection.vendor == "sqlite")  # dropped, then back


def test_country_rows_whose_ids_are_not_one_run_get_their_own_figures_and_no_other_rows_do(monkeypatch, editor):
    """On PostgreSQL another session may take sequence values between the ids a batch reserved: its rows, committed
    meanwhile, must not get this import's figures (the figures are copied from the batch's ids, not their range).
    An import by a person: an unattended one writes no country figures (services.implicit)."""
    allocate, between = services.RowInserter.allocate, []

    def with_another_sessions_row_between(inserter, count):
        if inserter.model is not Participation or count < 2:
            return allocate(inserter, count)
        ids = allocate(inserter, count + 1)
        other = Operation.objects.exclude(name=OPERATION_ROW["name"]).first()
        country = Country.objects.exclude(participations__operation=other).first()
        Participation.objects.create(pk=ids[1], operation=other, country=country)
        Participation.objects.filter(pk=ids[1]).update(
            arrests=7, arrests_qualifier="exact", arrests_source=Source.objects.first()
        )
        between.append(ids[1])
        return [ids[0], *ids[2:]]

    monkeypatch.setattr(services.RowInserter, "allocate", with_another_sessions_row_between)
    report = import_files(
        UploadedTable("operations.csv", csv_bytes(OPERATIONS, [OPERATION_ROW])),
        UploadedTable("country_results.csv", csv_bytes(COUNTRY_RESULTS, COUNTRY_ROWS)),
        commit=True,
        user=editor,
    )
    assert report.committed, report.errors
    assert between and not ReportedFigure.objects.filter(participation_id__in=between).exists()
    imported = Operation.objects.get(name=OPERATION_ROW["name"])
    figures = {
        (figure.participation.country.iso2, figure.metric): figure.as_figure()
        for figure in imported.reported_figures.filter(participation__isnull=False).select_related(
            "participation__country"
        )
    }
    assert figures == {
        ("BR", "victims_rescued"): Figure(300),
        ("CI", "victims_rescued"): Figure(10_000),
        ("CI", "arrests"): Figure(12),
    }
