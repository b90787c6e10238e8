"""Benchmark: `manage.py import_figures` of a generated scale into a fresh database, timed by /usr/bin/time -v.

    .venv/bin/python benchmarks/import_speed.py medium                       # SQLite, 2,000 + 99,000 rows
    .venv/bin/python benchmarks/import_speed.py large --database postgres://tracker:tracker@127.0.0.1:5432/tracker_bench
    .venv/bin/python benchmarks/import_speed.py medium --folder ../shared/peer-bench/data/medium/tracker   # other files

Not a test. The files come from benchmarks/generate.py (made under /tmp if missing), or are --folder's
operations.csv and country_results.csv (e.g. the peer harness's, in the tracker's format by its to_tracker_format.py).
The database is created for the run (a temporary SQLite file, or the PostgreSQL database named in --database, dropped
and created again: give a throwaway name). Prints one Markdown table row: rows, wall-clock seconds and rows/s, the
import process's CPU seconds (user + system) and rows per CPU second, its peak RSS, and the 1-minute load average
before and after (on a shared machine the wall clock includes waiting for a core; PostgreSQL's own work runs in its
server processes, beside the importer's CPU).
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable


def data_folder(scale: str) -> Path:
    folder = Path(tempfile.gettempdir()) / f"tracker-import-{scale}"
    if not (folder / "country_results.csv").exists():
        subprocess.run([PYTHON, str(ROOT / "benchmarks" / "generate.py"), scale, "--out", str(folder)], check=True)
    return folder


def fresh_database(url: str | None) -> str:
    if url is None:
        folder = Path(tempfile.mkdtemp(prefix="import-speed-"))
        return f"sqlite:///{folder / 'bench.sqlite3'}"
    import psycopg2

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    admin = psycopg2.connect(
        host=parts.hostname, port=parts.port or 5432, user=parts.username, password=parts.password, dbname="postgres"
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    return url


def timed(command, env) -> dict:
    """Run under /usr/bin/time -v; its figures."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        result = subprocess.run(["/usr/bin/time", "-v", "-o", report.name, *command], env=env, cwd=ROOT)
        if result.returncode:
            sys.exit(f"{command} failed ({result.returncode})")
        text = report.read()
    wall = text.split("Elapsed (wall clock) time (h:mm:ss or m:ss):")[1].split()[0].split(":")
    seconds = sum(float(part) * 60**power for power, part in enumerate(reversed(wall)))
    print(text, file=sys.stderr)  # the whole report, kept in the run's log
    field = {name: float(re.search(rf"{name} time \(seconds\): ([\d.]+)", text)[1]) for name in ("User", "System")}
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)[1])
    return {"wall": seconds, "cpu": field["User"] + field["System"], "rss_mb": rss / 1024}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scale", choices=["small", "medium", "large"])
    parser.add_argument("--database", help="a PostgreSQL URL (a throwaway database); SQLite when omitted")
    parser.add_argument("--dry-run", action="store_true", help="check only (import_figures --dry-run)")
    parser.add_argument("--folder", type=Path, help="import this folder's operations.csv and country_results.csv")
    args = parser.parse_args()
    folder = args.folder or data_folder(args.scale)
    operations, results = folder / "operations.csv", folder / "country_results.csv"
    rows = sum(1 for _ in operations.open(encoding="utf-8")) - 1 + sum(1 for _ in results.open(encoding="utf-8")) - 1
    env = {
        **os.environ,
        "DATABASE_URL": fresh_database(args.database),
        "DEBUG": "0",  # with DEBUG on, Django keeps every query's SQL in memory
        "SECRET_KEY": os.environ.get("SECRET_KEY", "benchmark-only-not-secret"),
        "DJANGO_SETTINGS_MODULE": "trafficking_ops.settings",
    }
    subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], env=env, cwd=ROOT, check=True)
    load_before = os.getloadavg()[0]
    command = [PYTHON, "manage.py", "import_figures", str(operations), str(results)]
    figures = timed([*command, "--dry-run"] if args.dry_run else command, env)
    load_after = os.getloadavg()[0]
    database = "PostgreSQL" if args.database else "SQLite"
    print(
        f"| {args.scale}{' (dry run)' if args.dry_run else ''} | {database} | {rows:,} | {figures['wall']:.1f} s"
        f" | {rows / figures['wall']:,.0f} | {figures['cpu']:.1f} s | {rows / figures['cpu']:,.0f}"
        f" | {figures['rss_mb']:.0f} MB | {load_before:.1f} → {load_after:.1f} |"
    )


if __name__ == "__main__":
    main()
