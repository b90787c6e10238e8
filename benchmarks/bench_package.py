"""Benchmark: the data package both ways. `load` times loading the vendored reference package into an empty database
(goal: under 5 s); `export` streams a whole benchmark database (benchmarks/generate.py + load.py) as a package zip
and samples memory while it does (goal: flat, within 30 MB).

    .venv/bin/python benchmarks/bench_package.py load                                # a fresh SQLite file in /tmp
    DATABASE_URL=sqlite:////tmp/bench-medium.sqlite3 .venv/bin/python benchmarks/bench_package.py export

Prints one markdown line per measurement with the load average (the machine is shared). Memory: resident set size
(/proc/self/statm) sampled every 50 chunks, minus the value before the first chunk; and the growth of the peak RSS.
"""

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
parser.add_argument("what", choices=["load", "export"])
parser.add_argument("--out", default=None, help="export: the zip to write (default: a temporary file, removed)")
args = parser.parse_args()

scratch = tempfile.mkdtemp(prefix="bench-package-")
if args.what == "load":
    os.environ["DATABASE_URL"] = f"sqlite:///{scratch}/empty.sqlite3"
os.environ.pop("DEBUG", None)  # with DEBUG on Django keeps every query in memory
os.environ.setdefault("SECRET_KEY", "benchmark-only-not-secret")
os.environ["DJANGO_SETTINGS_MODULE"] = "trafficking_ops.settings"
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from operations import datapackage  # noqa: E402
from operations.importing import import_package  # noqa: E402
from operations.models import Origin, ReportedFigure  # noqa: E402

PAGE = os.sysconf("SC_PAGE_SIZE")


def rss() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE


def peak() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def load_average() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


if args.what == "load":
    call_command("migrate", verbosity=0)
    wall, used = time.perf_counter(), cpu()
    report = import_package(settings.REFERENCE_DIR, commit=True, origin=Origin.REFERENCE)
    wall, used = time.perf_counter() - wall, cpu() - used
    assert report.ok, report.errors
    print(
        f"| load reference package into an empty {connection.vendor} database | {len(report.operations['create'])}"
        f" operations, {report.figures} figure reports | {wall:.2f} s wall | {used:.2f} s CPU | load {load_average()} |"
    )
else:
    out = Path(args.out) if args.out else Path(scratch) / "dataset.zip"
    counts = {}
    samples = []
    before, peak_before = rss(), peak()
    wall, used = time.perf_counter(), cpu()
    size = 0
    with out.open("wb") as handle:
        for number, chunk in enumerate(datapackage.zip_chunks(counts=counts)):
            handle.write(chunk)
            size += len(chunk)
            if number % 50 == 0:
                samples.append(rss() - before)
    wall, used = time.perf_counter() - wall, cpu() - used
    rows = sum(counts.values())
    quarters = [samples[len(samples) * q // 4] / 1e6 for q in (1, 2, 3)] + [samples[-1] / 1e6]
    growth = f"at 1/4, 1/2, 3/4, end {', '.join(f'{mb:.1f}' for mb in quarters)} MB (max {max(samples) / 1e6:.1f})"
    print(
        f"| export_package of {connection.vendor} ({ReportedFigure.objects.count():,} figure reports) | {rows:,} rows,"
        f" {size / 1e6:.1f} MB zip | {wall:.1f} s wall, {used:.1f} s CPU ({rows / used:,.0f} rows/CPU-s) | RSS growth"
        f" {growth}; peak RSS +{(peak() - peak_before) / 1e6:.1f} MB | load {load_average()} |"
    )
shutil.rmtree(scratch)
