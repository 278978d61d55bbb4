"""Benchmark: consecutive daily rebuilds of the per-event-day tables, rows inserted in the
order a build computes them against in event-day order (``replace_event_days``, stop 37).

Not a test. On a copy of a warehouse that ``benchmarks/daily_run.py`` left (its
``data-after-history``), it replays what ``--days`` consecutive daily builds do to each
per-event-day table: delete the event days a delivery of date D touches (D and the
late_event_days before it; the co-targeting partial one day more, for coincidences across
midnight) and insert their rows again, in one transaction, as dbt-duckdb's incremental
materialisation does, then commit. The rows are the table's own (a rebuild rewrites the
same facts, give or take the new day's), so both orders write the same data; what
differs is how the deleted rows lie in DuckDB's row groups, which is what the commit's
checkpoint pays for. The first rebuild meets the layout the history left (one full build:
the engine's order), the next ones the layout the strategy leaves, which is a daily run's
steady state. Prints one JSON line per strategy: seconds of each step, per table and day.

    python benchmarks/partial_rebuilds.py --warehouse /tmp/bench-daily/data-after-history/warehouse.duckdb
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import duckdb

# (table, event days a delivery of date D rebuilds: D - n for n in range(...))
TABLES = (
    ("stg_activity__event_repeats", 4),
    ("int_texts_fingerprinted", 4),
    ("int_account_days_active", 4),
    ("int_account_days_connected", 4),
    ("int_account_days_cotargeted", 5),
)


def replay(warehouse: Path, first: date, days: int, ordered: bool, memory: str) -> dict:
    con = duckdb.connect(str(warehouse))
    # As the dbt profile sets them.
    con.execute(f"set memory_limit='{memory}'; set threads=2; set preserve_insertion_order=false")
    figures: dict = {}
    for n in range(days):
        run_date = first + timedelta(days=n)
        for table, span in TABLES:
            rebuilt = [run_date - timedelta(days=k) for k in range(span)]
            steps = {}
            started = time.perf_counter()
            con.execute(
                f"create or replace temp table rebuilt as "
                f"select * from main.{table} where event_day in (select unnest($days))",
                {"days": rebuilt},
            )
            steps["rows"] = con.execute("select count(*) from rebuilt").fetchone()[0]
            steps["compute_s"] = round(time.perf_counter() - started, 3)
            con.execute("begin")
            started = time.perf_counter()
            con.execute(
                f"delete from main.{table} where event_day in (select event_day from rebuilt)"
            )
            order = " order by event_day" if ordered else ""
            con.execute(f"insert into main.{table} select * from rebuilt{order}")
            steps["delete_insert_s"] = round(time.perf_counter() - started, 3)
            started = time.perf_counter()
            con.execute("commit")
            steps["commit_s"] = round(time.perf_counter() - started, 3)
            figures.setdefault(table, {})[run_date.isoformat()] = steps
    con.close()
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--warehouse", type=Path, required=True, help="left untouched: copied")
    parser.add_argument("--first-date", default="2026-11-12", help="the first replayed run date")
    parser.add_argument("--days", type=int, default=3, help="consecutive run dates replayed")
    parser.add_argument("--memory-limit", default="4GB")
    args = parser.parse_args(argv)
    first = date.fromisoformat(args.first_date)
    for ordered in (False, True):
        with tempfile.TemporaryDirectory(dir=args.warehouse.parent.parent) as tmp:
            copy = Path(tmp) / args.warehouse.name
            shutil.copyfile(args.warehouse, copy)
            figures = replay(copy, first, args.days, ordered, args.memory_limit)
        print(json.dumps({"order": "event_day" if ordered else "as computed", "tables": figures}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
