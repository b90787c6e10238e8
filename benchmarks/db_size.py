"""Where a tracker database's bytes go: per table, its rows and its indexes (SQLite's dbstat, PostgreSQL's catalogue).

    .venv/bin/python benchmarks/db_size.py sqlite:////tmp/peer-bench/data/medium/tracker.db [--plain PATH]
    .venv/bin/python benchmarks/db_size.py postgres://tracker:tracker@127.0.0.1:5432/tracker_bench

Prints a Markdown table, largest first, and the whole file (SQLite: page_count x page_size, free pages apart);
`--plain` names the peer's plain SQLite file of the same rows (peer-bench's bench.db) to give the ratio the issue sets
(at most 5x). Read-only.
"""

import argparse
import os
import sqlite3
from urllib.parse import urlsplit


def sqlite_sizes(path):
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    owner = dict(con.execute("SELECT name, tbl_name FROM sqlite_master WHERE type IN ('table', 'index')"))
    rows, indexes = {}, {}
    for name, size in con.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name"):
        table = owner.get(name, name)
        (rows if table == name else indexes)[table] = (rows if table == name else indexes).get(table, 0) + size
    page_size = con.execute("PRAGMA page_size").fetchone()[0]
    total = con.execute("PRAGMA page_count").fetchone()[0] * page_size
    free = con.execute("PRAGMA freelist_count").fetchone()[0] * page_size
    counts = {t: con.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in rows if not t.startswith("sqlite_")}
    return rows, indexes, counts, total, free


def postgres_sizes(url):
    import psycopg2

    with psycopg2.connect(url) as con, con.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_table_size(c.oid), pg_indexes_size(c.oid), c.reltuples::bigint FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r'"
        )
        found = cursor.fetchall()
        cursor.execute("SELECT pg_database_size(current_database())")
        total = cursor.fetchone()[0]
    rows = {name: table for name, table, _, _ in found}
    indexes = {name: index for name, _, index, _ in found}
    counts = {name: n for name, _, _, n in found}
    return rows, indexes, counts, total, 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--plain", help="the peer's plain SQLite file of the same rows")
    parser.add_argument("--top", type=int, default=12)
    args = parser.parse_args()
    url = urlsplit(args.url)
    if url.scheme == "sqlite":
        rows, indexes, counts, total, free = sqlite_sizes(url.path[1:] if url.path.startswith("//") else url.path)
    else:
        rows, indexes, counts, total, free = postgres_sizes(args.url)
    mb = lambda n: f"{n / 1e6:,.1f}"  # noqa: E731
    print("| table | rows | table MB | its indexes MB | together MB |")
    print("|---|---:|---:|---:|---:|")
    tables = sorted(rows, key=lambda t: rows[t] + indexes.get(t, 0), reverse=True)
    for table in tables[: args.top]:
        both = rows[table] + indexes.get(table, 0)
        print(f"| {table} | {counts.get(table, 0):,} | {mb(rows[table])} | {mb(indexes.get(table, 0))} | {mb(both)} |")
    rest = sum(rows[t] + indexes.get(t, 0) for t in tables[args.top :])
    print(f"| {len(tables) - args.top} other tables | | | | {mb(rest)} |")
    print(f"\nWhole database: {mb(total)} MB" + (f" ({mb(free)} MB of it free pages)" if free else "") + ".")
    if args.plain:
        plain = os.path.getsize(args.plain)
        print(f"Plain table of the same rows ({args.plain}): {mb(plain)} MB; ratio {(total - free) / plain:.1f}x.")


if __name__ == "__main__":
    main()
