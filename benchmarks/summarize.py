"""Print one markdown table of every benchmarks/results/*.json (for the README's "Benchmarks" section)."""

import json
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def main():
    order = {"small": 0, "medium": 1, "large": 2}
    runs = sorted(
        (json.loads(path.read_text()) for path in RESULTS.glob("*.json")),
        key=lambda run: (not run["versions"]["database"].startswith("SQLite"), order.get(run["scale"], 9)),
    )
    if not runs:
        raise SystemExit("no results yet: run benchmarks/run.py first")
    labels = [page["label"] for page in runs[0]["pages"]]
    print("| page | " + " | ".join(f"{run['scale']} · {run['versions']['database']}" for run in runs) + " |")
    print("|---|" + "---:|" * len(runs))
    for index, label in enumerate(labels):
        cells = []
        for run in runs:
            page = run["pages"][index]
            if page.get("not_built"):
                cells.append("not built")
            else:
                inside = f", SQL {page['sql_ms']:.0f} ms + CPU {page['cpu_ms']:.0f} ms" if page.get("cpu_ms") else ""
                cells.append(
                    f"p50 {page['p50_ms']:.0f} / p95 {page['p95_ms']:.0f} ms, {page['requests_per_s']} req/s, "
                    f"{page['queries']} queries{inside}"
                )
        print(f"| {label} | " + " | ".join(cells) + " |")
    cells = []
    for run in runs:
        exported = run["export"]
        if exported.get("not_built"):
            cells.append("not built")
        else:
            cells.append(
                f"{exported['rows']:,} rows, **{exported['rows_per_s']:,} rows/s**, worker RSS "
                f"{exported['worker_rss_before_mb']} → peak {exported['worker_peak_mb']} MB "
                f"(+{exported['worker_growth_mb']} MB), {exported['queries']} queries"
            )
    print("| full CSV export of /results/ | " + " | ".join(cells) + " |")
    print(
        "| load average during the run (1 min, start → end) | "
        + " | ".join(f"{run['load_average_start'][0]} → {run['load_average_end'][0]}" for run in runs)
        + " |"
    )
    print(
        "| data | "
        + " | ".join(f"{run['counts']['operations']:,} ops, {run['counts']['participations']:,} rows" for run in runs)
        + " |"
    )


if __name__ == "__main__":
    main()
