"""Benchmark: full CSV export of the /results/ table at a given scale (rows/s, time to first byte, memory growth).

Generates synthetic operations, participations and preferred figures (every name "Synthetic ...") into a database of
its own, then runs the real export (URL, middleware, permission check, filterset, table sort, streaming writer) in
this process through Django's test client as a Staff user, reads the whole stream, and prints one markdown line.

    .venv/bin/python benchmarks/bench_export.py --rows 1000000
    DATABASE_URL=postgres://tracker:tracker@127.0.0.1:5432/tracker_bench .venv/bin/python benchmarks/bench_export.py

The SQLite file defaults to /tmp/tracker_bench_export.sqlite3 and is reused when it already holds the asked scale.
The database runs in this process (SQLite), so the CPU time covers the query, Django and the CSV writer; on a
shared machine, rows per CPU-second is the steadier figure.
Memory: resident set size (from /proc/self/statm) sampled every few chunks while streaming, minus the value just
before the request; and the growth of the process's peak RSS (getrusage ru_maxrss) over the export.
"""

import argparse
import os
import resource
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("--rows", type=int, default=100_000, help="participation rows to export (default 100,000)")
parser.add_argument("--database", default=None, help="DATABASE_URL (default: a SQLite file in /tmp)")
parser.add_argument("--url", default="/results/?_export=csv", help="the export URL to time")
parser.add_argument("--regenerate", action="store_true", help="drop the synthetic rows and generate them again")
args = parser.parse_args()

os.environ["DATABASE_URL"] = args.database or os.environ.get(
    "DATABASE_URL", "sqlite:////tmp/tracker_bench_export.sqlite3"
)
# Not DEBUG: with DEBUG on Django keeps every query in memory, which is not what production measures.
os.environ.pop("DEBUG", None)
os.environ.setdefault("SECRET_KEY", "benchmark-only-not-secret")
os.environ["ALLOWED_HOSTS"] = "testserver"
# The test client speaks plain HTTP: without this, DEBUG off means a 301 to https for every request.
os.environ["SECURE_SSL_REDIRECT"] = "0"
os.environ["DJANGO_SETTINGS_MODULE"] = "trafficking_ops.settings"
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.apps import apps  # noqa: E402
from django.contrib.auth.models import Group, User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402

from operations.figures import Metric, Qualifier  # noqa: E402
from operations.models import Country, ExportLog, Operation, Participation, ReportedFigure, Source  # noqa: E402
from operations.roles import STAFF, sync_role_groups  # noqa: E402

PAGE = os.sysconf("SC_PAGE_SIZE")
COUNTRIES_PER_OPERATION = 200
BATCH = 20_000
QUALIFIERS = [Qualifier.EXACT, Qualifier.APPROX, Qualifier.AT_LEAST, Qualifier.MORE_THAN]


def rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE


def peak_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # kilobytes on Linux


def generate(rows: int) -> None:
    """`rows` synthetic participations: 200 countries per synthetic operation, two known metrics per country (each
    with a preferred reported figure and its source), two unknown."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous = OFF")
    synthetic = Operation.objects.filter(name__startswith="Synthetic ")
    existing = Participation.objects.filter(operation__in=synthetic).count()
    if existing == rows and not args.regenerate:
        return
    print(f"generating {rows:,} synthetic result rows ...", file=sys.stderr)
    started = time.perf_counter()
    ReportedFigure.objects.filter(operation__in=synthetic).delete()
    Participation.objects.filter(operation__in=synthetic).delete()
    synthetic.delete()
    Source.objects.filter(publisher__startswith="Synthetic ").delete()
    countries = list(Country.objects.order_by("pk")[:COUNTRIES_PER_OPERATION])
    sources = Source.objects.bulk_create(
        Source(publisher=f"Synthetic publisher {i}", url=f"https://example.org/synthetic/{i}") for i in range(1000)
    )
    n_operations = -(-rows // len(countries))
    day0 = date(2000, 1, 1)
    operations = Operation.objects.bulk_create(
        (
            Operation(
                name=f"Synthetic operation {i:07d}",
                slug=f"synthetic-operation-{i:07d}",
                coordinator="Synthetic coordinator",
                year=2000 + i % 26,
                start_date=day0 + timedelta(days=i % 9000),
                is_verified=False,
            )
            for i in range(n_operations)
        ),
        batch_size=BATCH,
    )
    made = 0
    for operation_index, operation in enumerate(operations):
        if made >= rows:
            break
        take = min(len(countries), rows - made)
        participations = []
        for k in range(take):
            i = made + k
            # The preferred figures' source, kept on the row as services.refresh_preferred_figures() keeps it.
            source = sources[(operation_index + k) % len(sources)]
            participations.append(
                Participation(
                    operation=operation,
                    country=countries[k],
                    **Participation.operation_order(operation),
                    victims_rescued=i % 997,
                    victims_rescued_qualifier=QUALIFIERS[i % 4],
                    victims_rescued_source=source,
                    arrests=i % 389,
                    arrests_qualifier=QUALIFIERS[(i + 1) % 4],
                    arrests_source=source,
                )
            )
        with transaction.atomic():
            Participation.objects.bulk_create(participations, batch_size=BATCH)
            ReportedFigure.objects.bulk_create(
                (
                    ReportedFigure(
                        operation=operation,
                        participation=participation,
                        metric=metric,
                        value=getattr(participation, metric),
                        qualifier=getattr(participation, f"{metric}_qualifier"),
                        source=sources[(operation_index + index) % len(sources)],
                        is_preferred=True,
                        origin="import",
                    )
                    for index, participation in enumerate(participations)
                    for metric in (Metric.VICTIMS_RESCUED, Metric.ARRESTS)
                ),
                batch_size=BATCH,
            )
        made += take
        if operation_index % 500 == 0:
            print(f"  {made:,} rows", file=sys.stderr)
    print(f"generated in {time.perf_counter() - started:.0f} s", file=sys.stderr)


def main() -> None:
    call_command("migrate", verbosity=0)
    if not Group.objects.filter(name=STAFF).exists():
        sync_role_groups(apps)
    generate(args.rows)
    user, _ = User.objects.get_or_create(username="synthetic-bench-staff")
    user.groups.add(Group.objects.get(name=STAFF))
    total_rows = Participation.objects.count()

    client = Client()
    client.force_login(user)
    # Warm up (imports, URL resolving, template loading) so the figures measure the export alone.
    warm = client.get(args.url.replace("_export=csv", "_export=csv&operation=synthetic-operation-0000000"))
    for _ in warm.streaming_content if warm.streaming else [warm.content]:
        pass

    baseline_rss, baseline_peak = rss_bytes(), peak_rss_bytes()
    max_rss = baseline_rss
    started, cpu_started = time.perf_counter(), time.process_time()
    response = client.get(args.url)
    assert response.status_code == 200 and response.streaming, (response.status_code, response.content[:500])
    first_byte = None
    size = lines = 0
    for n, chunk in enumerate(response.streaming_content):
        if first_byte is None:
            first_byte = time.perf_counter() - started
        size += len(chunk)
        lines += chunk.count(b"\n")
        if n % 25 == 0:
            max_rss = max(max_rss, rss_bytes())
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    max_rss = max(max_rss, rss_bytes())
    response.close()
    rows = lines - 1
    logged = ExportLog.objects.order_by("-pk").first()
    assert rows == total_rows == logged.row_count, (rows, total_rows, logged.row_count)
    mib = 1024 * 1024
    load = os.getloadavg()[0]
    print(
        f"| {connection.vendor} | {rows:,} rows | {size / mib:,.0f} MiB | {elapsed:.1f} s "
        f"| {rows / elapsed:,.0f} rows/s | CPU {cpu:.1f} s ({rows / cpu:,.0f} rows per CPU-second) "
        f"| first byte {first_byte * 1000:.0f} ms | RSS +{(max_rss - baseline_rss) / mib:.1f} MiB "
        f"| peak RSS +{(peak_rss_bytes() - baseline_peak) / mib:.1f} MiB "
        f"| load average {load:.1f} on {os.cpu_count()} cores |"
    )


if __name__ == "__main__":
    main()
