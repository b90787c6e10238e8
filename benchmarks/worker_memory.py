"""Each gunicorn worker's memory after it has served every kind of page (issue 19: at most 90 MB RSS per worker).

    python3.13 -m venv /tmp/v && /tmp/v/bin/pip install -r requirements.txt   # the runtime packages only
    DATABASE_URL=sqlite:////tmp/peer-bench/data/medium/tracker.db /tmp/v/bin/python benchmarks/worker_memory.py

A venv as `make install` builds it: the dev venv's extra packages (test tools and what they import) change the figures.

Starts the server as benchmarks/run.py does (gunicorn.conf.py, DEBUG off, 2 workers unless --workers), then on several
connections (so that every worker gets its share) requests every page kind --rounds times: the overview, the three lists
sorted and filtered, a country page, the largest operation's dashboard, /compare/ of four operations, the data
dictionary, the admin's index and change lists, two API lists and an API operation, a full CSV export of /results/ and a
filtered XLSX export (with --schema, the OpenAPI schema too); then reads VmRSS, VmHWM, PSS and private memory of the
master and of each worker from /proc. Prints a Markdown table.
"""

import argparse
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run  # noqa: E402  (sets the server's environment up and django.setup())
from django.db.models import Count  # noqa: E402

from operations.models import Operation, Participation  # noqa: E402


def shares_kb(pid):
    """Pss (shared pages divided among the processes that map them) and private pages, from smaps_rollup: RSS counts
    the pages a preloaded master shares with every worker in each of them."""
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        key, _, value = line.partition(":")
        fields[key] = int(value.split()[0])
    return fields


def page_kinds():
    by_size = Participation.objects.order_by().values("operation_id").annotate(n=Count("pk")).order_by("-n")
    largest = [row["operation_id"] for row in by_size[:4]]
    slugs = list(Operation.objects.filter(pk__in=largest).values_list("slug", flat=True))
    compare = "&".join(f"operations={slug}" for slug in slugs)
    return [
        "/",
        "/?region=Europe",
        "/operations/?sort=-victims_rescued",
        "/operations/?q=synthetic&per_page=250",
        "/results/?country=BR&sort=-victims_rescued",
        "/results/?per_page=250",
        "/countries/?sort=-victims_rescued&per_page=250",
        "/countries/br/",
        f"/operations/{slugs[0]}/",
        f"/compare/?{compare}",
        "/about/data/",
        "/admin/",
        "/admin/operations/operation/",
        "/admin/operations/reportedfigure/",
        "/admin/operations/participation/",
        "/api/v1/operations/?sort=-victims_rescued",
        f"/api/v1/operations/{slugs[0]}/",
        "/api/v1/results/?country=BR",
        "/results/?country=BR&_export=xlsx",
        "/results/?_export=csv",
        "/healthz",
    ]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--schema", action="store_true", help="also fetch /api/v1/schema/ (imports drf-spectacular in the worker)"
    )
    args = parser.parse_args()
    if "DATABASE_URL" not in os.environ:
        raise SystemExit("set DATABASE_URL to a database holding benchmark data")
    user = run.benchmark_user()
    cookie = run.session_cookie(user)
    urls = page_kinds() + (["/api/v1/schema/"] if args.schema else [])
    run.connection.close()
    log_dir = Path(run.tempfile.mkdtemp(prefix="tracker-memory-log-"))
    port = run.free_port()
    server = run.start_server(port, args.workers, log_dir)
    try:
        statuses = {}

        def visit(url):
            status, _ = run.fetch(port, url, cookie)
            statuses[url] = status

        with ThreadPoolExecutor(max_workers=args.workers * 2) as pool:
            for _ in range(args.rounds):
                list(pool.map(visit, urls * args.workers))
        rows = [("master", server.pid)] + [
            (f"worker {i + 1}", pid) for i, pid in enumerate(run.worker_pids(server.pid))
        ]
        print(f"{len(urls)} URLs x {args.rounds} rounds on {args.workers * 2} connections; load {os.getloadavg()}")
        bad = {url: status for url, status in statuses.items() if status != 200}
        print("statuses: all 200" if not bad else f"statuses not 200: {bad}")
        print("| process | RSS MB | peak RSS (VmHWM) MB | PSS MB | private MB |\n|---|---:|---:|---:|---:|")
        for label, pid in rows:
            memory = {**run.memory_kb(pid), **shares_kb(pid)}
            print(
                f"| {label} | {memory['VmRSS'] / 1024:.1f} | {memory['VmHWM'] / 1024:.1f} | {memory['Pss'] / 1024:.1f}"
                f" | {(memory['Private_Clean'] + memory['Private_Dirty']) / 1024:.1f} |"
            )
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
