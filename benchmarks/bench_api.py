"""The API against the matching HTML pages, as deployed: p50/p95 of each pair, and a full cursor walk's memory.

    DATABASE_URL=sqlite:////tmp/bench-medium.sqlite3 .venv/bin/python benchmarks/bench_api.py --scale medium

Uses benchmarks/run.py's server (gunicorn with the repo's config, DEBUG off, one worker here so the memory read is
the serving process's) and session login. Each page and its API twin (the same filters and sort, 50 rows) are timed
over --requests sequential requests on one keep-alive connection after a warm-up, with the pages' rendering cache
on (the server's default: a repeated URL is served from the cache) and off (TRACKER_CACHE_SECONDS=0: a URL's first
view after a write; the API never caches). Then every result is walked by cursor (page_size 1,000, the bulk size) and
the worker's peak RSS (VmHWM, reset before the walk) is read against its RSS before, and per 10 pages.
Writes benchmarks/results/<date>-api-<db>-<scale>.md and .json.
"""

import argparse
import datetime
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run  # noqa: E402  (sets the server environment and Django up)

from operations.models import Participation  # noqa: E402

# A walk of the large scale is a thousand requests: the rate limit (1,200 an hour by default) is not what is measured.
run.SERVER_ENV["API_RATE_LIMIT"] = "1000000/hour"

PAIRS = [
    (
        "results: BR by victims",
        "/results/?country=BR&sort=-victims_rescued",
        "/api/v1/results/?country=BR&sort=-victims_rescued&page_size=50",
    ),
    ("results: all", "/results/", "/api/v1/results/?page_size=50"),
    (
        "operations by victims",
        "/operations/?sort=-victims_rescued",
        "/api/v1/operations/?sort=-victims_rescued&page_size=50",
    ),
    ("countries (totals)", "/countries/", "/api/v1/countries/?page_size=50"),
]


def walk(port, cookie, master_pid):
    """Every result by cursor: rows, pages, seconds, the worker's RSS before and its peak after, per-page samples."""
    import http.client

    worker = run.worker_pids(master_pid)[0]
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    path = "/api/v1/results/?page_size=1000"
    run.fetch(port, path, cookie, conn)  # warm
    before = run.memory_kb(worker)["VmRSS"]
    run.reset_peak(worker)
    rows = pages = 0
    samples = []
    started = time.perf_counter()
    while path:
        status, body = run.fetch(port, path, cookie, conn)
        if status != 200:
            raise SystemExit(f"{path} answered {status}")
        data = json.loads(body)
        rows += len(data["results"])
        pages += 1
        if pages % 10 == 0:
            samples.append((pages, run.memory_kb(worker)["VmHWM"]))
        path = data["next"] and data["next"].split("127.0.0.1", 1)[-1].split(f":{port}", 1)[-1]
    seconds = time.perf_counter() - started
    peak = run.memory_kb(worker)["VmHWM"]
    conn.close()
    return {
        "rows": rows,
        "pages": pages,
        "seconds": round(seconds, 1),
        "rows_per_s": round(rows / seconds),
        "rss_before_kb": before,
        "peak_kb": peak,
        "peak_every_10_pages_kb": samples,
    }


def pairs(port, cookie, requests):
    measured = []
    for label, page, api in PAIRS:
        measured.append(
            {
                "label": label,
                "page": page,
                "api": api,
                "page_latency": run.latency(port, page, cookie, requests),
                "api_latency": run.latency(port, api, cookie, requests),
            }
        )
    return measured


def serve(cache_seconds, requests, cookie, walk_too):
    os.environ["TRACKER_CACHE_SECONDS"] = str(cache_seconds)
    run.SERVER_ENV["TRACKER_CACHE_SECONDS"] = str(cache_seconds)
    port = run.free_port()
    server = run.start_server(port, 1, Path(tempfile.mkdtemp(prefix="tracker-bench-api-logs-")))
    try:
        result = {"pairs": pairs(port, cookie, requests)}
        if walk_too:
            result["walk"] = walk(port, cookie, server.pid)
        return result
    finally:
        server.terminate()
        server.wait()


def markdown(result) -> str:
    lines = [
        f"# API against pages, {result['database']} {result['scale']} ({result['date']})",
        "",
        run.machine_text(result["machine"]),
        "",
        f"Load average at start: {result['load_start']}; at end: {result['load_end']}. One gunicorn worker, "
        f"{result['requests']} sequential requests per URL after 10 warm-up requests; 50 rows each.",
        "",
        "| pair | page p50 (cached) | API p50 | page p50 (uncached) | API p50 (uncached run) |",
        "|---|---:|---:|---:|---:|",
    ]
    for cached, uncached in zip(result["cached"]["pairs"], result["uncached"]["pairs"], strict=True):
        lines.append(
            f"| {cached['label']} (`{cached['page']}` · `{cached['api']}`) | {cached['page_latency']['p50_ms']} ms | "
            f"{cached['api_latency']['p50_ms']} ms | {uncached['page_latency']['p50_ms']} ms | "
            f"{uncached['api_latency']['p50_ms']} ms |"
        )
    walked = result["cached"].get("walk")
    if not walked:
        return "\n".join(lines) + "\n"
    lines += [
        "",
        f"Cursor walk of every result (`/api/v1/results/?page_size=1000`): {walked['rows']:,} rows in "
        f"{walked['pages']} pages, {walked['seconds']} s ({walked['rows_per_s']:,} rows/s); worker RSS before "
        f"{walked['rss_before_kb'] / 1024:.1f} MB, peak during the walk {walked['peak_kb'] / 1024:.1f} MB; peak after "
        "every 10 pages (MB): "
        + ", ".join(f"{pages}: {kb / 1024:.1f}" for pages, kb in walked["peak_every_10_pages_kb"]),
    ]
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", required=True)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--no-walk", action="store_true", help="only the page/API pairs (the walk of large is ~7 min)")
    args = parser.parse_args()
    user = run.benchmark_user()
    cookie = run.session_cookie(user)
    result = {
        "scale": args.scale,
        "date": datetime.date.today().isoformat(),
        "database": run.connection.vendor,
        "machine": run.machine(),
        "requests": args.requests,
        "results": Participation.objects.count(),
        "load_start": os.getloadavg()[0],
    }
    cache_seconds = run.settings.TRACKER_CACHE_SECONDS or 3600
    result["cached"] = serve(cache_seconds, args.requests, cookie, walk_too=not args.no_walk)
    result["uncached"] = serve(0, args.requests, cookie, walk_too=False)
    result["load_end"] = os.getloadavg()[0]
    name = f"{result['date']}-api-{result['database']}-{args.scale}"
    run.RESULTS.mkdir(exist_ok=True)
    (run.RESULTS / f"{name}.json").write_text(json.dumps(result, indent=2))
    (run.RESULTS / f"{name}.md").write_text(markdown(result))
    print(markdown(result))
    print(
        "median of API/page p50 ratios:",
        statistics.median(
            p["api_latency"]["p50_ms"] / p["page_latency"]["p50_ms"] for p in result["uncached"]["pairs"]
        ),
    )


if __name__ == "__main__":
    main()
