"""Benchmark: import N synthetic operations and N per-country rows with `manage.py import_figures` (not a test).

    .venv/bin/python benchmarks/bench_import.py            # 100,000 rows in each file, on a throwaway SQLite file
    .venv/bin/python benchmarks/bench_import.py --rows 10000 --dry-run

Goal (issue #5): a 100,000-row import of valid data finishes in under 60 s on SQLite. Every name is "Synthetic ...".
"""

import argparse
import csv
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FIGURES = ["700", "nearly 700", "about 4,000", "250+", "at least 5", "more than 10,000", "10 000", ""]
COUNTRIES = ["BR", "Brasil", "Argentina", "Côte d'Ivoire", "Espagne", "MX", "Sénégal", "Philippines", "Kenya", "PER"]


def write_files(folder: Path, rows: int):
    from operations.importing import COLUMNS, COUNTRY_RESULTS, OPERATIONS

    operations, results = folder / "operations.csv", folder / "country_results.csv"
    with operations.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, COLUMNS[OPERATIONS])
        writer.writeheader()
        for n in range(rows):
            writer.writerow(
                {
                    "name": f"Synthetic Operation {n:06d}",
                    "coordinator": "Synthetic coordinator",
                    "region": "Synthetic region",
                    "start_date": f"20{10 + n % 15}-0{1 + n % 9}-1{n % 10}",
                    "end_date": f"20{10 + n % 15}-0{1 + n % 9}-2{n % 9}",
                    "countries_count": str(1 + n % 40),
                    "victims_rescued": str(1000 + n % 500),
                    "arrests": FIGURES[n % len(FIGURES)],
                    "investigations_opened": FIGURES[(n + 3) % len(FIGURES)],
                    "migrants_identified": "",
                    "exploitation_types": "forced labour; sexual exploitation",
                    "summary": "Synthetic benchmark row.",
                    "source_url": f"https://example.org/synthetic/{n // 10}",
                    "source_title": "Synthetic release (Synthetic Agency)",
                    "source_published": "2025-01-01",
                }
            )
    with results.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, COLUMNS[COUNTRY_RESULTS])
        writer.writeheader()
        for n in range(rows):
            writer.writerow(
                {
                    "operation": f"Synthetic Operation {n:06d}",
                    "country": COUNTRIES[n % len(COUNTRIES)],
                    "role": "participant",
                    "victims_rescued": str(n % 300),
                    "arrests": "",
                    "investigations_opened": "",
                    "migrants_identified": "",
                    "source_url": f"https://example.org/synthetic/{n // 10}",
                }
            )
    return operations, results


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000, help="rows in each of the two files")
    parser.add_argument("--dry-run", action="store_true", help="validate and preview only")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="bench-import-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{folder / 'bench.sqlite3'}"
    # Production-like: DEBUG off (with DEBUG on, Django keeps every query's SQL in memory).
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("SECRET_KEY", "benchmark-only-not-secret")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trafficking_ops.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    operations, results = write_files(folder, args.rows)
    options = ["--dry-run"] if args.dry_run else []
    started, cpu_started = time.perf_counter(), time.process_time()
    call_command("import_figures", str(operations), str(results), *options)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    total = 2 * args.rows
    print(
        f"{total:,} rows ({args.rows:,} operations + {args.rows:,} country rows) in {elapsed:.1f} s:"
        f" {total / elapsed:,.0f} rows/s"
    )
    # On a shared machine the wall clock includes waiting for a core; CPU time is what the import itself costs.
    print(f"CPU time of this process: {cpu:.1f} s; database and files: {folder}")


if __name__ == "__main__":
    main()
