"""A bounded load on loopback: N client processes for D seconds over a mix of pages, against gunicorn as deployed.

    cp /tmp/bench-medium.sqlite3 /tmp/loadtest-medium.sqlite3     # a copy: exports write their log rows
    DATABASE_URL=sqlite:////tmp/loadtest-medium.sqlite3 .venv/bin/python benchmarks/loadtest.py --scale medium

The server is benchmarks/run.py's (its functions are imported, not copied): gunicorn with the repo's
gunicorn.conf.py, DEBUG off, whitenoise, a SECRET_KEY, plain HTTP on 127.0.0.1, and a session written for a benchmark
superuser. Before the clock starts every URL of the mix is fetched once and must answer what it should. Then
--connections client processes (default 8) each loop for --seconds (default 60), every one picking URLs from the
weighted mix with its own seeded random sequence: the operations list with filters and sorts, /results/ filtered by
country and sorted, /countries/, country pages, several operation dashboards, /compare/ of 2-4 operations, the
overview /, a small CSV export, invalid filters that must answer 400, and /healthz.

Every response is recorded. An error is a 5xx, a connection error or timeout, a status other than the one its URL
must answer, a 400 page without the form's error, an HTML page cut short, or an export that is not a complete CSV;
tracebacks and worker timeouts in gunicorn's error log count too. The report gives the count per status class, the
errors, p50/p95/p99/max latency overall and per kind of page, requests/s, and the 1-minute load average before, during
and after (the machine is shared). It writes benchmarks/results/<date>-loadtest-<db>-<scale>.md and .json and exits
1 on any error.
"""

import argparse
import datetime
import http.client
import json
import math
import multiprocessing
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run  # noqa: E402  (sets the server's environment and Django up, as for benchmarks/run.py)
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402

from operations.models import CountryTotal, Operation, Participation  # noqa: E402

REQUEST_TIMEOUT = 60  # seconds; a request slower than this is an error, and the run stays bounded


# --- The mix ---------------------------------------------------------------------------------------------------


def operation_slugs():
    """Operations by number of participating countries, largest first (ties by id), as slugs."""
    ids = list(
        Participation.objects.order_by()
        .values("operation_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "operation_id")
        .values_list("operation_id", flat=True)
    )
    slugs = dict(Operation.objects.values_list("pk", "slug"))
    return [slugs[pk] for pk in ids]


def mix():
    """(kind, URL, expected status, weight) of every URL the clients request. Chosen from the loaded data: the
    largest, a middling and a small operation, the busiest and a quieter country, the years the data covers."""
    slugs = operation_slugs()
    if len(slugs) < 4:
        raise SystemExit("the database holds fewer than 4 operations with countries: load the benchmark data first")
    largest, middling, small, smallest = slugs[0], slugs[len(slugs) // 2], slugs[-len(slugs) // 10], slugs[-1]
    years = sorted(set(Operation.objects.values_list("year", flat=True)))
    year = years[len(years) // 2]
    busiest = list(
        CountryTotal.objects.order_by("-operations", "country__iso2").values_list("country__iso2", flat=True)
    )
    quiet = busiest[len(busiest) * 3 // 4] if busiest else "FR"
    busy = busiest[:1] or ["BR"]
    second = busiest[1] if len(busiest) > 1 else busy[0]
    rng = random.Random(7)
    compare = [rng.sample(slugs, k) for k in (2, 3, 4)]
    return [
        # The operations list: filters and sorts.
        ("operations list", "/operations/?sort=-victims_rescued", 200, 3),
        ("operations list", f"/operations/?region=Americas&year_from={year}&sort=arrests", 200, 2),
        ("operations list", f"/operations/?country={busy[0]}&sort=-period&per_page=50", 200, 2),
        ("operations list", "/operations/?q=synthetic&coordinator=interpol&page=3&sort=name", 200, 1),
        ("operations list", "/operations/?min_victims_rescued=100&sort=-countries_named", 200, 1),
        # /results/: filtered by country and sorted.
        ("results list", f"/results/?country={busy[0]}&sort=-victims_rescued", 200, 3),
        ("results list", f"/results/?country={second.lower()}&sort=arrests&page=2", 200, 2),
        ("results list", f"/results/?country={quiet}&role=participant&sort=-year", 200, 1),
        ("results list", f"/results/?region=Africa&year_to={year}&sort=country&per_page=100", 200, 1),
        # Countries and a country's page.
        ("countries list", "/countries/", 200, 2),
        ("countries list", "/countries/?region=Europe&has_results=yes&sort=-victims_rescued", 200, 1),
        ("country page", f"/countries/{busy[0].lower()}/", 200, 2),
        ("country page", f"/countries/{quiet}/?sort=-arrests&page=2", 200, 1),
        # Operation dashboards.
        ("dashboard", f"/operations/{largest}/", 200, 2),
        ("dashboard", f"/operations/{middling}/?map=arrests", 200, 2),
        ("dashboard", f"/operations/{small}/?map=role", 200, 1),
        # Comparisons of 2, 3 and 4 operations.
        *(("compare", "/compare/?" + "&".join(f"operations={slug}" for slug in chosen), 200, 1) for chosen in compare),
        # The overview.
        ("overview", "/", 200, 2),
        ("overview", f"/?year_from={year}&region=Asia&map=victims_rescued", 200, 1),
        # A small CSV export (one operation's countries).
        ("csv export", f"/results/?operation={smallest}&_export=csv", 200, 1),
        # Invalid filters: the page with the form's error, status 400.
        ("invalid filter (400)", "/operations/?year_from=abc", 400, 1),
        ("invalid filter (400)", "/results/?country=ZZ&sort=-victims_rescued", 400, 1),
        ("invalid filter (400)", "/countries/?region=Atlantis", 400, 1),
        ("invalid filter (400)", f"/compare/?operations={largest}", 400, 1),
        # The health check, as a load balancer would.
        ("healthz", "/healthz", 200, 1),
    ]


# --- The clients -----------------------------------------------------------------------------------------------


def problem(url, expected, status, content_type, body):
    """Why this response is wrong for its URL, or None."""
    if status >= 500:
        return f"server error {status}"
    if status != expected:
        return f"answered {status}, expected {expected}"
    if status == 400 and b'role="alert"' not in body:
        return "400 without the form's error shown"
    if "_export=csv" in url:
        if "text/csv" not in content_type:
            return f"export answered {content_type!r}, not CSV"
        text = body.decode("utf-8-sig")
        if not text.startswith("operation,") or not text.endswith("\r\n"):
            return "export is not a complete CSV"
    elif url == "/healthz":
        if json.loads(body) != {"status": "ok"}:
            return f"health check said {body[:80]!r}"
    elif not body.rstrip().endswith(b"</html>"):
        return "HTML page cut short"
    return None


def request(conn, url, cookie):
    conn.request("GET", url, headers={"Cookie": cookie, "Host": "127.0.0.1"})
    response = conn.getresponse()
    body = response.read()
    return response.status, response.getheader("Content-Type", ""), body


def client(args):
    """One client process: requests URLs of the mix in a seeded random order until the deadline, one at a time on
    one connection (reopened after an error). Returns (URL index, status or 0, latency ms, error or None)."""
    port, cookie, urls, weights, seed, deadline = args
    rng = random.Random(seed)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
    records = []
    while time.monotonic() < deadline:
        index = rng.choices(range(len(urls)), weights)[0]
        url, expected = urls[index]
        started = time.perf_counter()
        try:
            status, content_type, body = request(conn, url, cookie)
            error = problem(url, expected, status, content_type, body)
        except (OSError, http.client.HTTPException, ValueError) as exc:
            status, error = 0, f"{type(exc).__name__}: {exc}"[:200]
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
        records.append((index, status, (time.perf_counter() - started) * 1000, error))
    conn.close()
    return records


# --- Figures ---------------------------------------------------------------------------------------------------


def percentile(sorted_values, share):
    """Nearest-rank percentile (share 0.99 = p99) of an already sorted list."""
    if not sorted_values:
        return None
    return round(sorted_values[max(0, math.ceil(share * len(sorted_values)) - 1)], 1)


def latency_summary(timings, seconds):
    timings = sorted(timings)
    return {
        "requests": len(timings),
        "requests_per_s": round(len(timings) / seconds, 2),
        "p50_ms": percentile(timings, 0.50),
        "p95_ms": percentile(timings, 0.95),
        "p99_ms": percentile(timings, 0.99),
        "max_ms": round(timings[-1], 1) if timings else None,
    }


def server_log_problems(error_log):
    """Lines of gunicorn's error log that mean a failed request: a traceback, a worker timeout or a critical line."""
    markers = ("Traceback", "WORKER TIMEOUT", "[CRITICAL]", "[ERROR]")
    text = error_log.read_text(errors="replace") if error_log.exists() else ""
    return [line for line in text.splitlines() if any(marker in line for marker in markers)]


def summarise(entries, records, seconds, log_problems):
    by_kind = {}
    statuses = {}
    errors = []
    for index, status, elapsed, error in records:
        kind, url, _expected, _weight = entries[index]
        by_kind.setdefault(kind, []).append(elapsed)
        status_class = f"{status // 100}xx" if status else "no response"
        statuses[status_class] = statuses.get(status_class, 0) + 1
        if error:
            errors.append({"url": url, "status": status, "error": error})
    kinds = [kind for kind, *_ in entries]
    return {
        "overall": latency_summary([elapsed for _, _, elapsed, _ in records], seconds),
        "per_kind": [
            {"kind": kind, **latency_summary(by_kind.get(kind, []), seconds)} for kind in dict.fromkeys(kinds)
        ],
        "status_classes": dict(sorted(statuses.items())),
        "errors": len(errors) + len(log_problems),
        "error_samples": errors[:20],
        "errors_by_url": {
            url: sum(1 for error in errors if error["url"] == url) for url in dict.fromkeys(e["url"] for e in errors)
        },
        "server_log_problems": log_problems[:20],
    }


def markdown(result):
    overall = result["summary"]["overall"]
    summary = result["summary"]
    load = result["load_average"]
    lines = [
        f"# Load test: {result['scale']} on {result['versions']['database']}, {result['date']}",
        "",
        f"{run.machine_text(result['machine'])}. **Shared** with other work while measuring: 1-minute load average "
        f"{load['start'][0]} at the start, {load['during_min']}–{load['during_max']} (mean {load['during_mean']}) "
        f"during the run, {load['end'][0]} at the end.",
        *run.versions_and_data_lines(result),
        f"Server: gunicorn, {result['workers']} sync workers, DEBUG off, whitenoise, on 127.0.0.1. Clients: "
        f"{result['connections']} processes (Python http.client, on the same 2 cores as the server) for "
        f"{result['seconds']} s, each requesting URLs of the weighted mix below in a seeded random order, one at a "
        f"time; request timeout {REQUEST_TIMEOUT} s.",
        "",
        f"**{overall['requests']:,} requests, {summary['errors']} errors**, {overall['requests_per_s']} requests/s; "
        f"latency p50 {overall['p50_ms']} ms, p95 {overall['p95_ms']} ms, **p99 {overall['p99_ms']} ms**, max "
        f"{overall['max_ms']} ms. Status classes: "
        + ", ".join(f"{key} {value:,}" for key, value in summary["status_classes"].items())
        + ".",
        "",
        "| kind of page | requests | requests/s | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in [*summary["per_kind"], {"kind": "**all**", **overall}]:
        lines.append(
            f"| {row['kind']} | {row['requests']:,} | {row['requests_per_s']} | {row['p50_ms']} | {row['p95_ms']} | "
            f"{row['p99_ms']} | {row['max_ms']} |"
        )
    lines += [
        "",
        "The mix (weight = relative frequency):",
        "",
        "| kind | URL | must answer | weight |",
        "|---|---|---|---:|",
    ]
    for kind, url, expected, weight in result["mix"]:
        lines.append(f"| {kind} | `{url}` | {expected} | {weight} |")
    if summary["errors"]:
        lines += ["", "Errors (first 20):", ""]
        lines += [f"- `{e['url']}`: {e['error']}" for e in summary["error_samples"]]
        lines += [f"- server log: `{line}`" for line in summary["server_log_problems"]]
    lines.append("")
    return "\n".join(lines)


# --- Main ------------------------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description="A bounded mixed-page load against gunicorn on 127.0.0.1.")
    parser.add_argument("--scale", required=True, help="label of the loaded data: small, medium or large")
    parser.add_argument("--connections", type=int, default=8, help="client processes (default 8)")
    parser.add_argument("--seconds", type=float, default=60, help="duration of the load (default 60)")
    parser.add_argument("--workers", type=int, default=0, help="gunicorn workers (default: gunicorn.conf.py's)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the clients' random URL sequences")
    args = parser.parse_args()
    if "DATABASE_URL" not in os.environ:
        raise SystemExit("set DATABASE_URL to a copy of the database benchmarks/load.py filled")

    call_command("collectstatic", interactive=False, verbosity=0)
    user = run.benchmark_user()
    cookie = run.session_cookie(user)
    entries = mix()
    result = {
        "scale": args.scale,
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": run.machine(),
        "versions": run.versions(),
        "counts": run.scale_counts(),
        "connections": args.connections,
        "seconds": args.seconds,
        "mix": entries,
        "load_average": {"start": [round(value, 2) for value in os.getloadavg()]},
    }
    connection.close()  # the client processes fork from here; none of them needs the database

    log_dir = Path(tempfile.mkdtemp(prefix="tracker-loadtest-log-"))
    port = run.free_port()
    server = run.start_server(port, args.workers, log_dir)
    try:
        result["workers"] = len(run.worker_pids(server.pid))
        # Every URL once before the clock starts: a wrong URL in the mix is a mistake here, not a finding.
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=REQUEST_TIMEOUT)
        for kind, url, expected, _weight in entries:
            status, content_type, body = request(conn, url, cookie)
            if wrong := problem(url, expected, status, content_type, body):
                raise SystemExit(f"warm-up: {url} ({kind}) {wrong}")
        conn.close()
        print(
            f"{len(entries)} URLs answer as expected; {args.connections} clients for {args.seconds} s ...", flush=True
        )

        urls = [(url, expected) for _kind, url, expected, _weight in entries]
        weights = [weight for *_, weight in entries]
        started = time.monotonic()
        deadline = started + args.seconds
        loads = []
        with multiprocessing.get_context("fork").Pool(args.connections) as pool:
            pending = pool.map_async(
                client,
                [(port, cookie, urls, weights, args.seed * 1000 + n, deadline) for n in range(args.connections)],
            )
            while not pending.ready():
                loads.append(os.getloadavg()[0])
                pending.wait(5)
            records = [record for worker in pending.get() for record in worker]
        elapsed = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(timeout=60)
        shutil.rmtree(run.STATIC_ROOT, ignore_errors=True)

    result["elapsed_s"] = round(elapsed, 1)
    result["load_average"].update(
        during_min=round(min(loads), 2),
        during_max=round(max(loads), 2),
        during_mean=round(sum(loads) / len(loads), 2),
        end=[round(value, 2) for value in os.getloadavg()],
    )
    result["summary"] = summarise(entries, records, elapsed, server_log_problems(log_dir / "error.log"))
    run.RESULTS.mkdir(exist_ok=True)
    stem = f"{datetime.date.today().isoformat()}-loadtest-{connection.vendor}-{args.scale}"
    (run.RESULTS / f"{stem}.json").write_text(json.dumps(result, indent=2) + "\n")
    (run.RESULTS / f"{stem}.md").write_text(markdown(result))
    print(markdown(result))
    print(f"written: {run.RESULTS / stem}.md and .json; server logs in {log_dir}")
    if result["summary"]["errors"]:
        raise SystemExit(f"{result['summary']['errors']} errors")


if __name__ == "__main__":
    main()
