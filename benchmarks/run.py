"""Serve the tracker as deployed and measure it: latency, throughput, CSV export speed and memory, queries per page.

    DATABASE_URL=sqlite:////tmp/bench-medium.sqlite3 .venv/bin/python benchmarks/run.py --scale medium

The database must already hold the data (benchmarks/generate.py + benchmarks/load.py). The runner
1. counts the queries of every page once through Django's test client (CaptureQueriesContext);
2. collects the static files into a temporary STATIC_ROOT and starts gunicorn with the repo's gunicorn.conf.py,
   DEBUG off, a SECRET_KEY, SECURE_SSL_REDIRECT=0, SECURE_COOKIES=0 (plain HTTP on loopback), ALLOWED_HOSTS=127.0.0.1;
3. logs in by writing a session for a benchmark superuser (SessionStore) and sends its cookie;
4. per page: p50/p95 over --requests sequential requests on one keep-alive connection (after a warm-up), then
   requests/s with --connections client processes for --seconds;
5. streams the full CSV export of /results/ and reports rows/s and the serving worker's memory (VmRSS before, peak
   VmHWM during, read from /proc after resetting the peak with clear_refs);
6. writes benchmarks/results/<date>-<db>-<scale>.md and .json with the machine, versions, scale and date.
A page that answers 404 (not built in this clone) is reported as "not built".
"""

import argparse
import datetime
import http.client
import json
import multiprocessing
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
sys.path.insert(0, str(ROOT))

SERVER_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": os.environ.get("SECRET_KEY", "benchmark-only-not-secret-" + "x" * 40),
    "SECURE_SSL_REDIRECT": "0",
    "SECURE_COOKIES": "0",
    "SECURE_HSTS_SECONDS": "0",
    "LOG_LEVEL": "WARNING",
    # The benchmark reuses one session for thousands of requests; throttling has nothing to do with it.
    "AXES_FAILURE_LIMIT": "1000",
}
# collectstatic goes to a temporary STATIC_ROOT, used both by the server and by the query-count pass in this process
# (the manifest storage needs the manifest to render a page).
STATIC_ROOT = Path(tempfile.mkdtemp(prefix="tracker-bench-static-"))
SERVER_ENV["STATIC_ROOT"] = str(STATIC_ROOT)
os.environ.update(SERVER_ENV)
os.environ["ALLOWED_HOSTS"] = "127.0.0.1,testserver"  # testserver: the query-count pass through the test client
os.environ["DJANGO_SETTINGS_MODULE"] = "trafficking_ops.settings"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from operations.models import CountryTotal, Operation, Participation, ReportedFigure  # noqa: E402

USERNAME = "benchmark-user"
EXPORT_URL = "/results/?_export=csv"


def pages():
    """(label, URL) of every page the issue asks to measure."""
    largest = (
        Participation.objects.order_by()
        .values("operation_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "operation_id")
        .values_list("operation_id", flat=True)
        .first()
    )
    slug = Operation.objects.filter(pk=largest).values_list("slug", flat=True).first() or "none"
    return [
        ("results: BR by victims, 50 rows", "/results/?country=BR&sort=-victims_rescued"),
        ("operations by victims", "/operations/?sort=-victims_rescued"),
        ("countries (totals)", "/countries/"),
        ("largest operation's dashboard", f"/operations/{slug}/"),
        ("overview /", "/"),
    ]


def benchmark_user():
    user, _ = User.objects.get_or_create(username=USERNAME, defaults={"is_superuser": True, "is_staff": True})
    if not user.is_superuser:
        user.is_superuser = user.is_staff = True
        user.save()
    return user


def session_cookie(user):
    """A logged-in session written straight into the session store the server reads (no login form, no axes)."""
    store = __import__(settings.SESSION_ENGINE, fromlist=["SessionStore"]).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def count_queries(user, urls, repeat=5):
    """Queries per page (and for the export, while it streams), in this process through the test client; for pages
    also the CPU time of one request (process time, so other work on the machine inflates it less than wall time)
    and the database's share of the wall time, each the median of `repeat` requests. Pages are measured uncached
    (TRACKER_CACHE_SECONDS=0: what the first view of a URL after a write costs) and then cached (`cached_cpu_ms`,
    `cached_queries`: what the server answers a repeated URL with)."""
    client = Client()
    client.force_login(user)
    counts = {}
    for url in urls:
        with override_settings(TRACKER_CACHE_SECONDS=0):
            with CaptureQueriesContext(connection) as captured:
                response = client.get(url)
                if getattr(response, "streaming", False):
                    for _ in response.streaming_content:
                        pass
            counts[url] = {"status": response.status_code, "queries": len(captured)}
            if getattr(response, "streaming", False) or response.status_code != 200:
                continue
            cpu, sql = measure(client, url, repeat)
        counts[url].update(cpu_ms=round(statistics.median(cpu), 1), sql_ms=round(statistics.median(sql), 1))
        client.get(url)  # into the cache
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        cached_cpu, _ = measure(client, url, repeat)
        counts[url].update(cached_queries=len(captured), cached_cpu_ms=round(statistics.median(cached_cpu), 1))
    return counts


def measure(client, url, repeat):
    cpu, sql = [], []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.process_time()
            client.get(url)
            cpu.append((time.process_time() - started) * 1000)
        sql.append(sum(float(query["time"]) for query in captured.captured_queries) * 1000)
    return cpu, sql


# --- The server ------------------------------------------------------------------------------------------------


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port, workers, log_dir):
    static_root = Path(tempfile.mkdtemp(prefix="tracker-bench-static-"))
    env = {**os.environ, **SERVER_ENV, "ALLOWED_HOSTS": "127.0.0.1", "STATIC_ROOT": str(static_root)}
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"], cwd=ROOT, env=env, check=True)
    env.update(
        GUNICORN_BIND=f"127.0.0.1:{port}",
        GUNICORN_ACCESS_LOG=str(log_dir / "access.log"),
        GUNICORN_TIMEOUT="600",
    )
    if workers:
        env["GUNICORN_WORKERS"] = str(workers)
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [
            str(gunicorn),
            "trafficking_ops.wsgi",
            "-c",
            "gunicorn.conf.py",
            "--error-logfile",
            str(log_dir / "error.log"),
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            status, _ = fetch(port, "/healthz", "")
            if status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.3)
    server.terminate()
    raise SystemExit("gunicorn did not answer /healthz within 60 s (see the error log)")


def worker_pids(master_pid):
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text().split()
    return [int(pid) for pid in children]


def memory_kb(pid):
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in {"VmRSS", "VmHWM"}:
            fields[key] = int(value.split()[0])
    return fields


def reset_peak(pid):
    """Reset VmHWM to the current RSS (Linux: echo 5 > /proc/<pid>/clear_refs), so the next peak is this request's."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
        return True
    except OSError:
        return False


# --- The client ------------------------------------------------------------------------------------------------


def fetch(port, path, cookie, conn=None):
    own = conn is None
    conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    conn.request("GET", path, headers={"Cookie": cookie, "Host": "127.0.0.1"})
    response = conn.getresponse()
    body = response.read()
    if own:
        conn.close()
    return response.status, body


def latency(port, path, cookie, requests):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    for _ in range(10):
        fetch(port, path, cookie, conn)
    timings = []
    for _ in range(requests):
        started = time.perf_counter()
        status, _ = fetch(port, path, cookie, conn)
        timings.append((time.perf_counter() - started) * 1000)
        if status != 200:
            raise SystemExit(f"{path} answered {status} during the benchmark")
    conn.close()
    cuts = statistics.quantiles(timings, n=100)
    return {"p50_ms": round(statistics.median(timings), 2), "p95_ms": round(cuts[94], 2), "requests": requests}


def _load_worker(args):
    port, path, cookie, seconds = args
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    done, deadline = 0, time.monotonic() + seconds
    while time.monotonic() < deadline:
        fetch(port, path, cookie, conn)
        done += 1
    conn.close()
    return done


def throughput(port, path, cookie, connections, seconds):
    with multiprocessing.get_context("fork").Pool(connections) as pool:
        started = time.monotonic()
        done = sum(pool.map(_load_worker, [(port, path, cookie, seconds)] * connections))
        elapsed = time.monotonic() - started
    return round(done / elapsed, 1)


def export(port, cookie, master_pid):
    workers = worker_pids(master_pid)
    before = {pid: memory_kb(pid) for pid in workers}
    peaks_reset = all(reset_peak(pid) for pid in workers)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    started = time.perf_counter()
    conn.request("GET", EXPORT_URL, headers={"Cookie": cookie, "Host": "127.0.0.1"})
    response = conn.getresponse()
    first_byte = None
    lines = 0
    size = 0
    while chunk := response.read(1 << 16):
        if first_byte is None:
            first_byte = time.perf_counter() - started
        lines += chunk.count(b"\n")
        size += len(chunk)
    elapsed = time.perf_counter() - started
    conn.close()
    after = {pid: memory_kb(pid) for pid in workers}
    # The worker that served the export is the one whose peak moved most above its resident size before.
    growth = {pid: after[pid]["VmHWM"] - before[pid]["VmRSS"] for pid in workers}
    pid = max(growth, key=growth.get)
    rows = max(0, lines - 1)  # minus the header; no field of the export holds a line break
    return {
        "status": response.status,
        "content_type": response.getheader("Content-Type", ""),
        "rows": rows,
        "megabytes": round(size / 1e6, 1),
        "seconds": round(elapsed, 2),
        "rows_per_s": round(rows / elapsed) if elapsed else None,
        "first_byte_ms": round((first_byte or 0) * 1000, 1),
        "worker_rss_before_mb": round(before[pid]["VmRSS"] / 1024, 1),
        "worker_peak_mb": round(after[pid]["VmHWM"] / 1024, 1),
        "worker_growth_mb": round(growth[pid] / 1024, 1),
        "peak_reset": peaks_reset,
    }


# --- Report ----------------------------------------------------------------------------------------------------


def machine():
    cpu = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.partition(":")[2].strip()
            break
    memory = next(line for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal"))
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": round(int(memory.split()[1]) / 1024 / 1024, 1),
        "kernel": platform.release(),
    }


def versions():
    from importlib.metadata import version

    found = {"python": platform.python_version()}
    for package in ("Django", "gunicorn", "whitenoise", "django-tables2", "django-filter"):
        found[package.lower()] = version(package)
    if connection.vendor == "sqlite":
        import sqlite3

        found["database"] = f"SQLite {sqlite3.sqlite_version}"
    else:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            found["database"] = f"PostgreSQL {cursor.fetchone()[0]}"
    try:
        found["commit"] = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        found["commit"] = ""
    return found


def scale_counts():
    return {
        "operations": Operation.objects.count(),
        "participations": Participation.objects.count(),
        "reported_figures": ReportedFigure.objects.count(),
        "countries_with_totals": CountryTotal.objects.count(),
    }


def machine_text(machine) -> str:
    """`Machine: AMD EPYC, 2 cores, 23.5 GB, Linux 6.1` for a result file (run.py's and loadtest.py's)."""
    return f"Machine: {machine['cpu']}, {machine['cores']} cores, {machine['memory_gb']} GB, Linux {machine['kernel']}"


def versions_and_data_lines(result) -> list[str]:
    """The software versions and the data counts of a result file (run.py's and loadtest.py's)."""
    return [
        "Versions: " + ", ".join(f"{key} {value}" for key, value in result["versions"].items() if key != "database"),
        "Data: " + ", ".join(f"{value:,} {key.replace('_', ' ')}" for key, value in result["counts"].items()),
    ]


def markdown(result):
    lines = [
        f"# Benchmark: {result['scale']} on {result['versions']['database']}, {result['date']}",
        "",
        f"{machine_text(result['machine'])}; shared with other work while measuring: load average (1, 5, 15 min) "
        f"{result['load_average_start']} at the start, {result['load_average_end']} at the end.",
        *versions_and_data_lines(result),
        f"Server: gunicorn, {result['workers']} sync workers, DEBUG off, whitenoise static files; client: Python "
        f"http.client on loopback, {result['requests']} sequential requests per page for latency, "
        f"{result['connections']} connections for {result['seconds']} s for throughput.",
        "",
        "Uncached: the page rendered from the database (TRACKER_CACHE_SECONDS=0), as after a write; cached: its "
        "table, charts and figures from the cache under the data version, as the server answers a repeated URL "
        "(the latency and throughput columns).",
        "",
        "| page | URL | queries uncached / cached | SQL ms | CPU ms uncached | CPU ms cached | p50 ms | p95 ms | "
        "requests/s |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for page in result["pages"]:
        if page.get("not_built"):
            lines.append(f"| {page['label']} | `{page['url']}` | – | | | | not built | | |")
            continue
        lines.append(
            f"| {page['label']} | `{page['url']}` | {page['queries']} / {page.get('cached_queries')} | "
            f"{page.get('sql_ms')} | {page.get('cpu_ms')} | {page.get('cached_cpu_ms')} | "
            f"{page['p50_ms']} | {page['p95_ms']} | "
            f"{page['requests_per_s']} |"
        )
    exported = result["export"]
    if exported.get("skipped"):
        lines += ["", f"CSV export `{EXPORT_URL}`: not measured in this run (--skip-export)."]
    elif exported.get("not_built"):
        lines += ["", f"CSV export `{EXPORT_URL}`: not built."]
    else:
        lines += [
            "",
            f"CSV export `{EXPORT_URL}`: {exported['rows']:,} rows ({exported['megabytes']} MB) in "
            f"{exported['seconds']} s = **{exported['rows_per_s']:,} rows/s**, first byte after "
            f"{exported['first_byte_ms']} ms, {exported.get('queries', '?')} queries; serving worker RSS "
            f"{exported['worker_rss_before_mb']} MB before, peak {exported['worker_peak_mb']} MB during "
            f"(growth {exported['worker_growth_mb']} MB).",
        ]
    lines.append("")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description="Benchmark the tracker served by gunicorn on 127.0.0.1.")
    parser.add_argument("--scale", required=True, help="label of the loaded data: small, medium or large")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--workers", type=int, default=0, help="gunicorn workers (default: gunicorn.conf.py's)")
    parser.add_argument("--skip-export", action="store_true")
    parser.add_argument(
        "--cpu-only", action="store_true", help="only the in-process pass: queries, SQL ms and CPU ms per page"
    )
    args = parser.parse_args()
    if "DATABASE_URL" not in os.environ:
        raise SystemExit("set DATABASE_URL to the database benchmarks/load.py filled")

    call_command("collectstatic", interactive=False, verbosity=0)
    user = benchmark_user()
    page_list = pages()
    urls = [url for _, url in page_list] + ([] if args.skip_export else [EXPORT_URL])
    print("counting queries ...", flush=True)
    queries = count_queries(user, urls)
    if args.cpu_only:
        for label, url in page_list:
            print(f"| {label} | `{url}` | {queries[url]} |")
        return
    cookie = session_cookie(user)
    result = {
        "scale": args.scale,
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "versions": versions(),
        "counts": scale_counts(),
        "requests": args.requests,
        "connections": args.connections,
        "seconds": args.seconds,
        "pages": [],
        # The machine is shared: the load average says how much else ran while measuring.
        "load_average_start": [round(value, 2) for value in os.getloadavg()],
    }
    connection.close()  # the client processes fork from here; none of them needs the database

    log_dir = Path(tempfile.mkdtemp(prefix="tracker-bench-log-"))
    port = free_port()
    server = start_server(port, args.workers, log_dir)
    try:
        result["workers"] = len(worker_pids(server.pid))
        status, body = fetch(port, "/", cookie)
        if status != 200:
            raise SystemExit(f"/ answered {status}: the session cookie was not accepted")
        stylesheet = (
            "/static/" + body.decode().split('href="/static/', 1)[1].split('"', 1)[0]
            if b'href="/static/' in body
            else ""
        )
        result["static_file"] = {"url": stylesheet, "status": fetch(port, stylesheet, "")[0] if stylesheet else None}
        for label, url in page_list:
            print(f"{label}: {url}", flush=True)
            page = {
                "label": label,
                "url": url,
                "queries": queries[url]["queries"],
                "cpu_ms": queries[url].get("cpu_ms"),
                "cached_cpu_ms": queries[url].get("cached_cpu_ms"),
                "cached_queries": queries[url].get("cached_queries"),
                "sql_ms": queries[url].get("sql_ms"),
            }
            status, _ = fetch(port, url, cookie)
            if status == 404:
                page["not_built"] = True
            elif status != 200:
                raise SystemExit(f"{url} answered {status}")
            else:
                page.update(latency(port, url, cookie, args.requests))
                page["requests_per_s"] = throughput(port, url, cookie, args.connections, args.seconds)
            result["pages"].append(page)
        if args.skip_export:
            result["export"] = {"not_built": True, "skipped": True}
        else:
            print(f"export: {EXPORT_URL}", flush=True)
            exported = export(port, cookie, server.pid)
            if exported["status"] != 200 or "text/csv" not in exported["content_type"]:
                exported = {"not_built": True, "status": exported["status"], "content_type": exported["content_type"]}
            exported["queries"] = queries[EXPORT_URL]["queries"]
            result["export"] = exported
    finally:
        server.terminate()
        server.wait(timeout=60)
        shutil.rmtree(STATIC_ROOT, ignore_errors=True)

    result["load_average_end"] = [round(value, 2) for value in os.getloadavg()]
    RESULTS.mkdir(exist_ok=True)
    stem = f"{datetime.date.today().isoformat()}-{connection.vendor}-{args.scale}"
    (RESULTS / f"{stem}.json").write_text(json.dumps(result, indent=2) + "\n")
    (RESULTS / f"{stem}.md").write_text(markdown(result))
    print(markdown(result))
    print(f"written: {RESULTS / stem}.md and .json; server logs in {log_dir}")


if __name__ == "__main__":
    main()
