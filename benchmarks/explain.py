"""EXPLAIN ANALYZE every query of every filter and sort the tables offer, on PostgreSQL, into
benchmarks/results/postgres_plans.md.

    DATABASE_URL=postgres://tracker:tracker@127.0.0.1:5440/tracker_bench .venv/bin/python benchmarks/explain.py

Each URL is requested once through Django's test client (as a superuser); the SQL of every query it ran on the
tracker's tables is then run again under `EXPLAIN (ANALYZE, BUFFERS)`. The report shows, per URL, each query's
execution time and the plan of the slowest ones, so a sequential scan over a million rows stands out.
"""

import datetime
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SECRET_KEY", "benchmark-only-not-secret")
os.environ["DEBUG"] = "0"
os.environ["ALLOWED_HOSTS"] = "testserver"
os.environ["SECURE_SSL_REDIRECT"] = "0"
os.environ["DJANGO_SETTINGS_MODULE"] = "trafficking_ops.settings"
os.environ.setdefault("LOG_LEVEL", "ERROR")

import django  # noqa: E402
from django.conf import settings  # noqa: E402

django.setup()
settings.STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"

from django.contrib.auth.models import User  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from operations.models import Operation, Participation  # noqa: E402

OUT = ROOT / "benchmarks" / "results" / "postgres_plans.md"
SHOWN_PLANS = 2  # per URL: the slowest queries' plans


def urls():
    largest = (
        Participation.objects.order_by()
        .values("operation_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .values_list("operation_id", flat=True)
        .first()
    )
    slug = Operation.objects.filter(pk=largest).values_list("slug", flat=True).first()
    return [
        ("/operations/", "operations, default order (newest first)"),
        ("/operations/?sort=-victims_rescued", "operations sorted by a figure"),
        ("/operations/?sort=name", "operations sorted by name"),
        ("/operations/?q=00042", "operations, text search"),
        ("/operations/?coordinator=europol", "operations by coordinator"),
        ("/operations/?region=Europe", "operations with a country in a region"),
        ("/operations/?country=BR&sort=-arrests", "operations with a country, sorted by a figure"),
        ("/operations/?exploitation=forced-labour", "operations by form of exploitation"),
        ("/operations/?min_victims_rescued=1000", "operations with a minimum figure"),
        ("/operations/?year_from=2010&year_to=2012", "operations in a year range"),
        ("/results/", "results, default order"),
        ("/results/?country=BR&sort=-victims_rescued", "results of a country sorted by a figure (the benchmark page)"),
        ("/results/?country=BR&sort=victims_rescued", "the same, ascending (unknown still last)"),
        ("/results/?region=Europe&sort=-arrests", "results in a region sorted by a figure"),
        (f"/results/?operation={slug}", "results of one operation"),
        ("/results/?role=command_centre", "results by role"),
        ("/results/?min_arrests=100&sort=-arrests", "results with a minimum figure"),
        ("/results/?sort=country", "results sorted by country"),
        ("/results/?sort=operation", "results sorted by operation"),
        ("/results/?sort=-year", "results sorted by year"),
        ("/results/?year_from=2010&year_to=2012", "results in a year range"),
        ("/countries/", "countries with their kept totals"),
        ("/countries/?region=Europe&sort=-victims_rescued", "countries in a region sorted by a total"),
        ("/countries/br/", "one country's page"),
        (f"/operations/{slug}/", "the largest operation's dashboard"),
        ("/", "overview"),
    ]


def is_ours(sql):
    return "operations_" in sql and not sql.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "INSERT", "UPDATE"))


def explain(sql):
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        lines = [row[0] for row in cursor.fetchall()]
    time_ms = next((float(line.split(":")[1].split()[0]) for line in lines if line.startswith("Execution Time")), 0.0)
    return time_ms, lines


def main():
    if connection.vendor != "postgresql":
        raise SystemExit("EXPLAIN plans are for PostgreSQL: set DATABASE_URL to a PostgreSQL database")
    user, _ = User.objects.get_or_create(username="explain-user", defaults={"is_superuser": True, "is_staff": True})
    client = Client()
    client.force_login(user)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        version = cursor.fetchone()[0]
        cursor.execute("ANALYZE")
    counts = f"{Operation.objects.count():,} operations, {Participation.objects.count():,} participations"
    lines = [
        "# PostgreSQL query plans for every filter and sort",
        "",
        f"Generated by `benchmarks/explain.py` on PostgreSQL {version} with the `medium` synthetic data ({counts}), "
        f"{datetime.date.today().isoformat()}, after `ANALYZE`. Each URL was requested once; every query it ran on "
        "the tracker's tables was run again under `EXPLAIN (ANALYZE, BUFFERS)`. Times are the server's execution "
        "times on a shared 2-core machine. The plans of the slowest queries per URL follow the summary.",
        "",
        "| URL | what | status | queries | slowest query ms | total ms | scans |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    details = []
    for url, what in urls():
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        if response.status_code == 404:
            lines.append(f"| `{url}` | {what} | 404 not built | | | | |")
            continue
        plans = []
        for query in captured.captured_queries:
            if is_ours(query["sql"]):
                time_ms, plan = explain(query["sql"])
                plans.append((time_ms, query["sql"], plan))
        plans.sort(key=lambda item: -item[0])
        scans = sorted(
            {
                line.strip().split(" on ")[0].lstrip("-> ").strip() + " on " + line.split(" on ")[1].split()[0]
                for _, _, plan in plans
                for line in plan
                if " on operations_" in line and "Scan" in line
            }
        )
        total = sum(time_ms for time_ms, _, _ in plans)
        lines.append(
            f"| `{url}` | {what} | {response.status_code} | {len(captured)} | "
            f"{plans[0][0] if plans else 0:.2f} | {total:.2f} | {'; '.join(scans)} |"
        )
        details.append(f"## `{url}` — {what}\n")
        for time_ms, sql, plan in plans[:SHOWN_PLANS]:
            details += [f"{time_ms:.2f} ms:", "", "```sql", sql, "```", "", "```", *plan, "```", ""]
    OUT.write_text("\n".join(lines + ["", *details]) + "\n")
    print(f"written {OUT}")


if __name__ == "__main__":
    main()
