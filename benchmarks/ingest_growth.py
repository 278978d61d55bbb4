"""Benchmark: does loading a delivery cost more as the warehouse grows?

Not a test. Issue 15 asks that the cost of loading a delivery not grow with the size of
the warehouse, measured on the first and the 60th delivery. This

1. simulates N accounts over D days (``python -m realpeople.simulator``; ``--reuse`` keeps
   a world already in the work dir);
2. loads the deliveries oldest first, as ``python -m realpeople run`` does: the delivery
   sensor's requests (``cli.delivery_tick``), one ``ingest_job`` run per delivery date for
   all its tables, executed in this process (``cli._execute``); no features, no model;
3. prints one JSON line per delivery (its date, the run's seconds, the events it loaded,
   the events the warehouse held before it), then one summary line: the whole backlog's
   seconds (counting before each run the events held, a few ms), the final checkpoint's,
   the median seconds
   of the first five and of the last five deliveries, their ratio, the least-squares
   slope in seconds per million events already held, the process's peak resident memory
   and the load average.

    python benchmarks/ingest_growth.py --accounts 100000 --days 62 --work-dir /tmp/bench-ingest-growth

The warehouse and the landing zone stay in the work dir (about 4 GB at 100k x 62 days);
remove it afterwards.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from daily_run import pipeline_env, run_child


def simulate(work: Path, accounts: int, days: int, seed: int, end_date: str) -> dict:
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    return run_child(
        [
            sys.executable,
            "-m",
            "realpeople.simulator",
            "--accounts",
            str(accounts),
            "--days",
            str(days),
            "--seed",
            str(seed),
            "--end-date",
            end_date,
            "--landing-dir",
            str(work / "landing"),
            "--truth-path",
            str(work / "truth.parquet"),
        ],
        dict(os.environ),
        work / "simulate.log",
    )


def events_held(settings) -> int:
    """Rows of ``raw.events`` now (0 before the first load). Through the warehouse
    resource, as the runs connect: a differently configured connection (read-only) is
    refused while the backlog holds the file open."""
    from realpeople.resources import warehouse_resource

    with warehouse_resource(settings).get_connection() as con:
        known = con.execute(
            "select count(*) from information_schema.tables "
            "where table_schema = 'raw' and table_name = 'events'"
        ).fetchone()[0]
        return con.execute("select count(*) from raw.events").fetchone()[0] if known else 0


def load_one_by_one(work: Path, window: int, hold_open: bool) -> tuple[list[dict], float]:
    """Each delivery date's ingest run, oldest first: seconds, events loaded and held; and
    the seconds of the final checkpoint (``hold_open``: the warehouse held open over the
    backlog, as ``make run`` loads it; otherwise each run checkpoints on its own, as each
    run the daemon launches does)."""
    import contextlib

    os.environ.update(pipeline_env(work, window))
    from realpeople.cli import _execute, backlog_held_open, delivery_tick, prepare_instance
    from realpeople.definitions import build_definitions
    from realpeople.settings import load_settings

    settings = load_settings()
    instance = prepare_instance(settings)
    defs = build_definitions(settings)
    Path(settings.warehouse_path).parent.mkdir(parents=True, exist_ok=True)
    rows = []
    requests = sorted(delivery_tick(defs, instance, settings), key=lambda r: r.partition_key)
    held = (
        backlog_held_open(settings, len(requests))
        if hold_open
        else contextlib.nullcontext({"seconds": 0.0})
    )
    with held as checkpoint:
        for n, request in enumerate(requests, start=1):
            before = events_held(settings)
            _, seconds = _execute(
                defs,
                "ingest_job",
                instance,
                request.partition_key,
                asset_selection=request.asset_selection,
                log_dir=work / "logs",
            )
            row = {
                "delivery": n,
                "date": request.partition_key,
                "seconds": round(seconds, 2),
                "events_loaded": events_held(settings) - before,
                "events_held_before": before,
            }
            print(json.dumps(row), flush=True)
            rows.append(row)
    return rows, checkpoint["seconds"]


def summary(rows: list[dict]) -> dict:
    seconds = np.array([r["seconds"] for r in rows])
    held = np.array([r["events_held_before"] for r in rows]) / 1e6
    first, last = statistics.median(seconds[:5]), statistics.median(seconds[-5:])
    slope = float(np.polyfit(held, seconds, 1)[0]) if len(rows) >= 3 else float("nan")
    return {
        "deliveries": len(rows),
        "events_loaded": int(sum(r["events_loaded"] for r in rows)),
        "first_five_median_s": round(first, 2),
        "last_five_median_s": round(last, 2),
        "last_over_first": round(last / first, 3),
        "seconds_per_million_held": round(slope, 4),
        "events_per_second_median": round(
            statistics.median(r["events_loaded"] / r["seconds"] for r in rows)
        ),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--days", type=int, default=62)
    parser.add_argument("--window", type=int, default=28, help="feature window (days)")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--end-date", default="2026-11-15")
    parser.add_argument("--work-dir", type=Path, default=Path("/tmp/bench-ingest-growth"))
    parser.add_argument("--reuse", action="store_true", help="keep the simulated world")
    parser.add_argument(
        "--per-run-checkpoint",
        action="store_true",
        help="do not hold the warehouse open over the backlog (each run checkpoints, as "
        "runs launched by the daemon do)",
    )
    args = parser.parse_args(argv)
    work: Path = args.work_dir
    figures: dict = {
        "accounts": args.accounts,
        "days": args.days,
        "load_average_start": [round(x, 2) for x in os.getloadavg()],
    }
    if args.reuse and (work / "landing").exists():
        shutil.rmtree(work / "data", ignore_errors=True)
    else:
        figures["simulate"] = simulate(work, args.accounts, args.days, args.seed, args.end_date)
    started = time.perf_counter()
    rows, checkpoint = load_one_by_one(work, args.window, hold_open=not args.per_run_checkpoint)
    figures["held_open"] = not args.per_run_checkpoint
    figures["total_s"] = round(time.perf_counter() - started, 2)
    figures["final_checkpoint_s"] = round(checkpoint, 2)
    figures.update(summary(rows))
    figures["peak_rss_gb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6, 3)
    figures["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(figures), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
