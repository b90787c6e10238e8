"""Deterministic synthetic data for the benchmarks, written in the import format (operations.csv, country_results.csv).

    .venv/bin/python benchmarks/generate.py medium --out /tmp/bench-medium     # seed 7 unless --seed

Every operation is named "Synthetic operation NNNNN" and its summary says it is synthetic: none of these figures is
real. The same scale and seed always give byte-identical files.

Shape (see README "Benchmarks"): an operation names either a few countries (3-15, most often 5-8) or many (40 up to
`big_max`); country participation is skewed (a few countries such as Brazil take part far more often than others);
figures are long-tailed (log-normal), about a quarter of the cells are unknown (empty), about one in ten is
approximate ("nearly 700") and about one in twelve a lower bound ("250+", "more than 1,000").

The issue asks for 10,000 operations holding ~1,000,000 per-country rows, i.e. 100 countries per operation on
average, while real operations mostly name 3-15 of the ~250 countries there are. Both cannot hold at once: the row
counts are kept (they are what the speed targets are about), and the share of many-country operations grows with the
scale to reach them; at `large` the many-country operations go up to every country (249).
"""

import argparse
import csv
import datetime
import math
import random
import sys
from pathlib import Path

import pycountry

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# The import format's columns, without Django settings (operations.import_format needs only the metrics).
from operations.import_format import COLUMNS, COUNTRY_RESULTS, METRIC_COLUMNS, OPERATIONS  # noqa: E402

# name: (operations, target per-country rows, largest "many countries" operation)
SCALES = {
    "small": (50, 1_500, 120),
    "medium": (2_000, 99_000, 120),  # just under the importer's 100,000-row limit per file
    "large": (10_000, 1_000_000, 249),
}
FEW = (3, 15)
MANY_MIN = 40
METRICS = METRIC_COLUMNS
# Median and spread (log-normal) of a country's figure per metric: most are tens, a few are thousands.
FIGURE_SHAPE = {
    "victims_rescued": (3.0, 1.4),
    "arrests": (2.5, 1.3),
    "investigations_opened": (1.8, 1.2),
    "migrants_identified": (3.5, 1.6),
}
UNKNOWN_SHARE = 0.25
COORDINATORS = ["INTERPOL", "Europol", "Frontex", "AFRIPOL", "ASEANAPOL", "AMERIPOL", "national police"]
EXPLOITATION = ["sexual exploitation", "forced labour", "forced criminality", "child labour", "forced begging"]
# Countries that take part far more often than the rest (weights multiply the base weight of 1).
HEAVY = {"BR": 12, "AR": 8, "CO": 8, "MX": 8, "ES": 7, "FR": 6, "NG": 6, "TH": 6, "PH": 6, "US": 5}


def countries():
    """(iso2, name) of every ISO 3166-1 country, in code order; names as pycountry gives them (the importer resolves
    them through the country aliases)."""
    return [
        (c.alpha_2, getattr(c, "common_name", None) or c.name)
        for c in sorted(pycountry.countries, key=lambda c: c.alpha_2)
    ]


def country_counts(rng, operations, target_rows, big_max, n_countries):
    """How many countries each operation names: a mixture of few (3-15) and many (40-big_max) whose mean hits the
    target number of rows; then nudged so the total is exactly the target."""
    big_max = min(big_max, n_countries)
    few_mean = 7.5
    many_mean = (MANY_MIN + big_max) / 2
    mean = target_rows / operations
    share_many = min(1.0, max(0.0, (mean - few_mean) / (many_mean - few_mean)))
    counts = []
    for _ in range(operations):
        if rng.random() < share_many:
            counts.append(rng.randint(MANY_MIN, big_max))
        else:
            # Triangular: most operations name 5-8 countries.
            counts.append(round(rng.triangular(FEW[0], FEW[1], 6)))
    # Nudge to the exact target, one country at a time, within each operation's band.
    difference = target_rows - sum(counts)
    step = 1 if difference > 0 else -1
    while difference:
        index = rng.randrange(operations)
        low, high = FEW if counts[index] <= FEW[1] else (MANY_MIN, big_max)
        if low <= counts[index] + step <= high:
            counts[index] += step
            difference -= step
    return counts


def weighted_sample(rng, population, weights, k):
    """k distinct items, each drawn with probability proportional to its weight (Efraimidis-Spirakis)."""
    keys = [(rng.random() ** (1.0 / weight), item) for item, weight in zip(population, weights, strict=True)]
    keys.sort(reverse=True)
    return [item for _, item in keys[:k]]


def figure_text(rng, metric):
    """A cell as a source would print it: empty (unknown), "700", "nearly 700", "250+" or "more than 1,000"."""
    if rng.random() < UNKNOWN_SHARE:
        return "", None
    mu, sigma = FIGURE_SHAPE[metric]
    value = max(0, int(math.exp(rng.gauss(mu, sigma))))
    roll = rng.random()
    if roll < 0.10:
        value = max(10, round(value, -1))
        return f"nearly {value:,}", value
    if roll < 0.15:
        return f"{value:,}+", value
    if roll < 0.18:
        return f"more than {value:,}", value
    return f"{value:,}", value


def generate(scale, out: Path, seed=7):
    operations_count, target_rows, big_max = SCALES[scale]
    rng = random.Random(f"{scale}-{seed}")
    every = countries()
    weights = [HEAVY.get(iso2, 1) for iso2, _ in every]
    counts = country_counts(rng, operations_count, target_rows, big_max, len(every))
    out.mkdir(parents=True, exist_ok=True)
    first_day = datetime.date(1995, 1, 1)
    span = (datetime.date(2025, 12, 31) - first_day).days
    rows = 0
    with (
        (out / "operations.csv").open("w", encoding="utf-8", newline="") as operations_file,
        (out / "country_results.csv").open("w", encoding="utf-8", newline="") as results_file,
    ):
        operations = csv.writer(operations_file)
        results = csv.writer(results_file)
        operations.writerow(COLUMNS[OPERATIONS])
        results.writerow(COLUMNS[COUNTRY_RESULTS])
        for number, count in enumerate(counts, start=1):
            name = f"Synthetic operation {number:05d}"
            start = first_day + datetime.timedelta(days=rng.randrange(span))
            end = start + datetime.timedelta(days=rng.randint(0, 60))
            published = end + datetime.timedelta(days=rng.randint(1, 90))
            url = f"https://example.org/synthetic/{scale}/{number:05d}"
            named = weighted_sample(rng, every, weights, count)
            country_cells = []
            for index, (_, country_name) in enumerate(named):
                cells = [figure_text(rng, metric) for metric in METRICS]
                role = "command_centre" if index == 0 else "participant"
                country_cells.append(cells)
                results.writerow([name, country_name, role, *[text for text, _ in cells], url])
            rows += len(named)
            totals = []
            for position in range(len(METRICS)):
                # The operation-wide figure: usually about the sum of the countries' known figures, sometimes unknown.
                known = [cells[position][1] for cells in country_cells if cells[position][1] is not None]
                if not known or rng.random() < 0.15:
                    totals.append("")
                elif rng.random() < 0.2:
                    totals.append(f"more than {sum(known):,}")
                else:
                    totals.append(f"{sum(known) + rng.randint(0, 50):,}")
            operations.writerow(
                [
                    name,
                    rng.choice(COORDINATORS),
                    "synthetic region",
                    start.isoformat(),
                    end.isoformat(),
                    count + rng.choice([0, 0, 0, 1, 2]),
                    *totals,
                    ", ".join(rng.sample(EXPLOITATION, rng.randint(1, 3))),
                    f"Synthetic benchmark data ({scale}, seed {seed}): not a real operation; every figure is invented.",
                    url,
                    f"Synthetic press release {number:05d}",
                    published.isoformat(),
                ]
            )
    return operations_count, rows


def main():
    parser = argparse.ArgumentParser(description="Write synthetic operations.csv and country_results.csv.")
    parser.add_argument("scale", choices=sorted(SCALES))
    parser.add_argument("--out", type=Path, default=None, help="folder (default /tmp/tracker-bench-<scale>)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    out = args.out or Path(f"/tmp/tracker-bench-{args.scale}")
    operations, rows = generate(args.scale, out, args.seed)
    print(f"{out}: {operations:,} operations, {rows:,} per-country rows")


if __name__ == "__main__":
    main()
