"""Server CPU per request of the peer benchmark's pages, for targets of a peer-bench config: a figure the shared
machine's load does not inflate as much as latency (the server's own CPU seconds, from /proc, over N requests).

    PEER_BENCH_WORK=/tmp/peer-bench python3 benchmarks/peer_cpu.py --scale medium \
        --targets datasette-tuned,tracker-nocache [--requests 200]

Needs ../shared/peer-bench (run_peer.py, read when present; CI never runs this) and the data its run_peer.sh set up
under PEER_BENCH_WORK. Uses benchmarks/peer_targets.toml. Targets are measured in turns (A, B, A, B, ...) so that
a burst of other work on the machine falls on all of them alike.
"""

import argparse
import http.client
import os
import statistics
import sys
import time
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
HARNESS = Path(os.environ.get("PEER_BENCH", HERE.parent.parent / "shared" / "peer-bench"))
sys.path.insert(0, str(HARNESS))
os.environ.setdefault("TRACKER_ROOT", str(HERE.parent))

import run_peer  # noqa: E402


def measure(name, cfg, scale, page, requests):
    data = os.path.join(run_peer.WORK, "data", scale)
    port = run_peer.free_port()
    subs = {
        "bench": str(HARNESS),
        "venv": os.path.join(run_peer.WORK, ".venv"),
        "python": sys.executable,
        "data": data,
        "tracker": run_peer.TRACKER,
        "db": os.path.join(data, "bench.db"),
        "scale": scale,
        "port": port,
    }
    cfg = {key: value for key, value in cfg.items() if key != "setup"}  # the data as the last setup left it
    path = run_peer.fill(cfg[page], subs)
    headers = {}
    if "cookie_file" in cfg:
        headers["Cookie"] = open(run_peer.fill(cfg["cookie_file"], subs)).read().strip()
    with open(os.path.join(run_peer.RESULTS, f"cpu-{name}.log"), "a") as log:
        proc = run_peer.start(name, cfg, subs, ("127.0.0.1", port, ""), log)
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            for _ in range(5):  # warm-up: every worker's first requests
                conn.request("GET", path, headers=headers)
                conn.getresponse().read()
            pids = run_peer.process_tree(proc.pid)
            cpu0, times = run_peer.cpu_s(pids), []
            for _ in range(requests):
                t0 = time.perf_counter()
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                times.append(time.perf_counter() - t0)
                assert response.status == 200, response.status
            cpu = run_peer.cpu_s(pids) - cpu0
        finally:
            run_peer.stop(proc)
    return cpu / requests * 1000, statistics.median(times) * 1000


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="medium")
    parser.add_argument("--targets", required=True)
    parser.add_argument("--page", default="table", choices=["table", "aggregate"])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--turns", type=int, default=2)
    parser.add_argument("--config", default=str(HERE / "peer_targets.toml"))
    args = parser.parse_args()
    config = tomllib.load(open(args.config, "rb"))
    os.makedirs(run_peer.RESULTS, exist_ok=True)
    results = {name: [] for name in args.targets.split(",")}
    for turn in range(args.turns):
        for name in results:
            cpu_ms, p50_ms = measure(name, config[name], args.scale, args.page, args.requests)
            results[name].append((cpu_ms, p50_ms, os.getloadavg()[0]))
            print(
                f"turn {turn + 1} {name}: server CPU {cpu_ms:.2f} ms/request, p50 {p50_ms:.1f} ms,"
                f" load {os.getloadavg()[0]:.1f}",
                flush=True,
            )
    print(
        f"\n| target ({args.page} page, {args.requests} sequential keep-alive requests x {args.turns})"
        " | server CPU ms per request | p50 ms | load (1 min) |"
    )
    print("|---|---:|---:|---:|")
    for name, rows in results.items():
        print(
            f"| {name} | {' / '.join(f'{r[0]:.2f}' for r in rows)} | {' / '.join(f'{r[1]:.1f}' for r in rows)}"
            f" | {' / '.join(f'{r[2]:.1f}' for r in rows)} |"
        )


if __name__ == "__main__":
    main()
