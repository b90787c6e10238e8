"""Bulk-load the synthetic files of benchmarks/generate.py into the database DATABASE_URL names (an empty one).

    DATABASE_URL=sqlite:////tmp/bench-large.sqlite3 .venv/bin/python benchmarks/load.py /tmp/tracker-bench-large

It runs `migrate`, then writes sources, operations, participations and one preferred ReportedFigure per known cell of
an operation (a country row's figures are kept on the row, as an unattended import keeps them: services.implicit)
with bulk_create in batches (explicit primary keys, one transaction), the denormalised preferred values (value,
qualifier, source) on operations and participations computed from the same cells, and finally rebuilds the kept
per-country totals. The result is what `import_figures` would write, its "+" history records included (one INSERT ...
SELECT per table: simple_history records nothing for bulk inserts; none for the figures, as the importer), in
minutes rather than hours at `large`. This is a benchmark tool, not an import path: real data goes through
`manage.py import_figures`, which validates every row.
"""

import argparse
import csv
import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SECRET_KEY", "benchmark-only-not-secret")
os.environ["DEBUG"] = "0"  # with DEBUG on, Django keeps every query in memory
os.environ["DJANGO_SETTINGS_MODULE"] = "trafficking_ops.settings"
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.core.management.color import no_style  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Max  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.utils.text import slugify  # noqa: E402

from operations import services  # noqa: E402
from operations.figures import Figure  # noqa: E402
from operations.importing.conventions import EXPLOITATION_KEYWORDS  # noqa: E402
from operations.models import (  # noqa: E402
    METRICS,
    ExploitationForm,
    Operation,
    Origin,
    Participation,
    ReportedFigure,
    Source,
)
from operations.queries import country_resolver  # noqa: E402

BATCH = 5_000
MODELS = [
    Source,
    Operation,
    Participation,
    ReportedFigure,
    Operation.sources.through,
    Operation.exploitation_forms.through,
]


def next_pk(model):
    return (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1


def preferred(target, cells, source_id):
    """Set the denormalised preferred value, qualifier and source per metric from the parsed cells."""
    for metric in METRICS:
        figure = cells[metric.value]
        setattr(target, metric.value, figure.value)
        setattr(target, f"{metric.value}_qualifier", figure.qualifier if figure.known else "")
        setattr(target, f"{metric.value}_source_id", source_id if figure.known else None)


class FastInsert:
    """Multi-row INSERTs of plain tuples for the two big tables: a model instance per row (bulk_create) costs more than
    the database does at a million rows. Portable SQL only (the same statement runs on SQLite and PostgreSQL); every
    column not given comes from the model's own default, so a field added later still gets its value."""

    def __init__(self, model, varying, **fixed):
        self.fields = list(model._meta.concrete_fields)
        template = model(**fixed)
        self.values = [field.get_db_prep_save(field.pre_save(template, add=True), connection) for field in self.fields]
        self.positions = [next(i for i, f in enumerate(self.fields) if f.attname == name) for name in varying]
        self.prepare = [self.fields[i].get_db_prep_save for i in self.positions]
        columns = ", ".join(connection.ops.quote_name(field.column) for field in self.fields)
        self.head = f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({columns}) VALUES "
        self.row_sql = "(" + ", ".join(["%s"] * len(self.fields)) + ")"
        # SQLite allows 32,766 parameters per statement.
        self.batch = max(1, min(1000, 30_000 // len(self.fields)))
        self.pending = []
        self.written = 0

    def add(self, *varying):
        row = list(self.values)
        for position, value in zip(self.positions, varying, strict=True):
            row[position] = value
        self.pending.append(row)
        if len(self.pending) >= self.batch:
            self.flush()

    def flush(self):
        if not self.pending:
            return
        with connection.cursor() as cursor:
            cursor.execute(
                self.head + ", ".join([self.row_sql] * len(self.pending)), [v for row in self.pending for v in row]
            )
        self.written += len(self.pending)
        self.pending.clear()


FIGURE_COLUMNS = [
    name for metric in METRICS for name in (metric.value, f"{metric.value}_qualifier", f"{metric.value}_source_id")
]


def figure_values(cells, source_id):
    """The denormalised preferred value, qualifier and source per metric, in FIGURE_COLUMNS order (every figure of a
    row comes from the row's one source, as figures_for() records them)."""
    values = []
    for metric in METRICS:
        figure = cells[metric.value]
        values += [figure.value, figure.qualifier if figure.known else "", source_id if figure.known else None]
    return values


def figures_for(operation_id, participation_id, cells, source_id, figure_pk):
    rows = []
    for metric in METRICS:
        figure = cells[metric.value]
        if figure.known:
            rows.append(
                ReportedFigure(
                    pk=figure_pk + len(rows),
                    operation_id=operation_id,
                    participation_id=participation_id,
                    metric=metric.value,
                    value=figure.value,
                    qualifier=figure.qualifier,
                    source_id=source_id,
                    is_preferred=True,
                    origin=Origin.IMPORT,
                )
            )
    return rows


def parse_cells(row, cache={}):  # noqa: B006  (a parse cache shared across calls on purpose: cells repeat a lot)
    cells = {}
    for metric in METRICS:
        text = row[metric.value]
        figure = cache.get(text)
        if figure is None:
            figure = cache[text] = Figure.parse(text)
        cells[metric.value] = figure
    return cells


def load(folder: Path, log=print):
    call_command("migrate", verbosity=0)
    started = time.monotonic()
    if Operation.objects.filter(name__startswith="Synthetic operation").exists():
        raise SystemExit("this database already holds synthetic operations: load into an empty database")
    resolver = country_resolver()
    forms = {form.slug: form.pk for form in ExploitationForm.objects.all()}
    counts = {"operations": 0, "participations": 0, "figures": 0}
    with services.changes():  # one regrouping of the kept totals and one new data version, at the end
        source_pk, operation_pk = next_pk(Source), next_pk(Operation)
        participation_pk, figure_pk = next_pk(Participation), next_pk(ReportedFigure)
        first_pks = {
            Source: source_pk,
            Operation: operation_pk,
            Participation: participation_pk,
            ReportedFigure: figure_pk,
        }
        operations = {}  # name -> (operation pk, source pk, the results order its participations keep)
        sources, ops, links, form_links, figures = [], [], [], [], []
        with (folder / "operations.csv").open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                source = Source(
                    pk=source_pk,
                    key=f"synthetic-{source_pk}",  # bulk_create skips Source.save, which would make one
                    publisher="Synthetic publisher",
                    title=row["source_title"],
                    url=row["source_url"],
                    published=row["source_published"] or None,
                )
                start = row["start_date"] or None
                operation = Operation(
                    pk=operation_pk,
                    name=row["name"],
                    slug=slugify(row["name"]),
                    coordinator=row["coordinator"],
                    area=row["region"],
                    year=int(start[:4]) if start else None,
                    start_date=start,
                    end_date=row["end_date"] or None,
                    countries_reported=int(row["countries_count"]) if row["countries_count"] else None,
                    exploitation_text=row["exploitation_types"],
                    summary=row["summary"],
                )
                cells = parse_cells(row)
                preferred(operation, cells, source_pk)
                sources.append(source)
                ops.append(operation)
                links.append(Operation.sources.through(operation_id=operation_pk, source_id=source_pk))
                slugs = {
                    slug for pattern, slug in EXPLOITATION_KEYWORDS if re.search(pattern, row["exploitation_types"])
                }
                form_links += [
                    Operation.exploitation_forms.through(operation_id=operation_pk, exploitationform_id=forms[slug])
                    for slug in sorted(slugs)
                    if slug in forms
                ]
                new = figures_for(operation_pk, None, cells, source_pk, figure_pk)
                figures += new
                figure_pk += len(new)
                order = Participation.operation_order(operation)
                operations[row["name"]] = (
                    operation_pk,
                    source_pk,
                    str(order["operation_sort_date"]),
                    order["operation_name"],
                )
                source_pk += 1
                operation_pk += 1
        Source.objects.bulk_create(sources, batch_size=BATCH)
        Operation.objects.bulk_create(ops, batch_size=BATCH)
        Operation.sources.through.objects.bulk_create(links, batch_size=BATCH)
        Operation.exploitation_forms.through.objects.bulk_create(form_links, batch_size=BATCH)
        ReportedFigure.objects.bulk_create(figures, batch_size=BATCH)
        counts["operations"] = len(ops)
        counts["figures"] += len(figures)
        log(f"{len(ops):,} operations in {time.monotonic() - started:.1f} s")

        country_ids = {}
        participations = FastInsert(
            Participation,
            ["id", "operation_id", "country_id", "role", "operation_sort_date", "operation_name", *FIGURE_COLUMNS],
            operation_id=1,
            country_id=1,
            imported_at=timezone.now(),  # no "+" history record, as the importer (services.COPY_ON_WRITE)
        )
        with (folder / "country_results.csv").open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                name = row["country"]
                if name not in country_ids:
                    country = resolver.resolve(name)
                    if country is None:
                        raise SystemExit(f"unknown country {name!r}")
                    country_ids[name] = country.pk
                operation_id, source_id, sort_date, operation_name = operations[row["operation"]]
                cells = parse_cells(row)
                participations.add(
                    participation_pk,
                    operation_id,
                    country_ids[name],
                    row["role"],
                    sort_date,
                    operation_name,
                    *figure_values(cells, source_id),
                )
                participation_pk += 1
                if participation_pk % 100_000 == 0:
                    log(f"{participations.written:,} participations in {time.monotonic() - started:.1f} s")
        participations.flush()
        counts["participations"] = participations.written
        # Explicit primary keys leave PostgreSQL's sequences behind: move them past the loaded rows.
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), MODELS):
                cursor.execute(statement)
        # "+" history records, as the importer leaves: the API's `updated_since` reads them (one INSERT ... SELECT
        # per table). Not for the figures, which an unattended import leaves without (services.COPY_ON_WRITE).
        for model, first_pk in first_pks.items():
            if model in services.COPY_ON_WRITE:
                continue
            services.record_history(model, from_pk=first_pk, history_type="+", change_reason="benchmarks/load.py")
        log(f"history records written in {time.monotonic() - started:.1f} s")
        services.refresh_country_totals()
    if connection.vendor == "postgresql":
        # Planner statistics of the loaded tables now, not when autovacuum gets to them: measured pages would
        # otherwise be planned from empty statistics (as the importer does after a bulk import).
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    elapsed = time.monotonic() - started
    rows = counts["participations"]
    log(
        f"loaded {counts['operations']:,} operations, {rows:,} participations, {counts['figures']:,} reported figures "
        f"in {elapsed:.1f} s ({rows / elapsed:,.0f} per-country rows/s), kept totals rebuilt"
    )
    return counts, elapsed


def main():
    parser = argparse.ArgumentParser(description="Bulk-load synthetic benchmark files into DATABASE_URL.")
    parser.add_argument("folder", type=Path, help="folder holding operations.csv and country_results.csv")
    args = parser.parse_args()
    if "DATABASE_URL" not in os.environ:
        raise SystemExit("set DATABASE_URL (e.g. sqlite:////tmp/bench-medium.sqlite3): the loader never guesses")
    load(args.folder)


if __name__ == "__main__":
    main()
