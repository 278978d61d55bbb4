"""Benchmark: the daily run at platform scale, against a full recompute and a plain sort.

Not a test. It

1. simulates N accounts over (window + 2) days (``python -m realpeople.simulator``);
2. holds back the last delivery date and runs the pipeline on the rest (the history: every
   delivery loaded, features, the first model, a published date). The history loads every
   delivery before its first features build, so that build computes every per-event-day
   table whole; ``--warm-days N`` then holds back N dates more and runs each as a daily
   run, untimed, so that the timed run rebuilds what a daily build left (a platform's
   steady state) rather than what one full build did;
3. lands the last date and times the daily ``python -m realpeople run``: wall time and the
   peak resident memory of the process tree (dbt is a subprocess) per Dagster run
   (ingest, features, publish), and the seconds of each asset step, through
   ``benchmarks/stage_probe.py``;
4. runs it once more with nothing new to load (what a re-run costs);
5. on a copy of the same warehouse, times the two yardsticks of issue 15:
   - ``full``: ``dbt build --full-refresh`` as of the last date, of what the daily run's
     features stage builds: every model and data test (not dbt's unit tests, which no
     run repeats). A backfill or a new feature recomputes this. ``--full-scope mart``
     times the yardstick of stops 22-32 instead, ``dbt run --full-refresh --select
     +account_features``: the models up to the mart only, without the co-targeting pairs
     (which feed the cluster features, not the mart) and without the tests, both of
     which the daily run does;
   - ``sort``: one DuckDB pass that reads the window's events and sorts them by account and
     time (a lag over them, as the gap features need): the floor of any rebuild.

and prints one JSON line (stage figures, ratios, load average). Each step runs in its own
process, so peak memory is that step's alone.

``--repeats N`` times steps 3 and 5 N times, interleaved (daily, full, daily, full, ...; each
daily run from the warehouse the history left), and takes the ratios from the medians: on
this shared 2-core machine one full recompute of one world took 212-318 s from run to run
(docs/benchmarks.md, stop 37), so one pair of figures cannot carry a ratio to 0.5. The
re-run with nothing new (step 4) runs once, after the first daily run.

    python benchmarks/daily_run.py --accounts 100000 --window 28 --work-dir /tmp/bench-daily
    make bench-daily ACCOUNTS=100000 WINDOW=28

``--reuse`` keeps a simulated world (and the history run) already in the work dir, to time
the daily run again after a code change.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROBE = Path(__file__).resolve().parent / "stage_probe.py"
TABLES = ("accounts", "events", "reviews", "appeals")


def run_child(cmd: list[str], env: dict[str, str], log: Path) -> dict:
    """Run ``cmd``; wall seconds and the child's peak RSS (``os.wait4``: its own rusage)."""
    started = time.perf_counter()
    with open(log, "w", encoding="utf-8") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
    code = os.waitstatus_to_exitcode(status)
    return {
        "seconds": round(time.perf_counter() - started, 2),
        "peak_rss_gb": round(usage.ru_maxrss / 1e6, 3),
        "exit_code": code,
        "log": str(log),
    }


def pipeline_env(work: Path, window: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "REALPEOPLE_LANDING_DIR": str(work / "landing"),
            "REALPEOPLE_DATA_DIR": str(work / "data"),
            "DAGSTER_HOME": str(work / "data" / "dagster_home"),
            "REALPEOPLE_FEATURE_WINDOW_DAYS": str(window),
            "REALPEOPLE_PROGRESS": "0",
            "OMP_WAIT_POLICY": "passive",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "GX_ANALYTICS_ENABLED": "false",
        }
    )
    return env


def probed_run(work: Path, window: int, name: str) -> dict:
    env = pipeline_env(work, window)
    env["REALPEOPLE_STAGE_PROBE"] = str(work / f"{name}.json")
    outcome = run_child([sys.executable, str(PROBE)], env, work / f"{name}.log")
    if outcome["exit_code"] not in (0, 1):  # 1: published, some input rejected
        raise SystemExit(f"{name} run failed (exit {outcome['exit_code']}); see {outcome['log']}")
    probe = json.loads((work / f"{name}.json").read_text())
    by_job: dict[str, dict] = {}
    for stage in probe["stages"]:
        job = stage["job"].removesuffix("_job")
        entry = by_job.setdefault(job, {"runs": 0, "seconds": 0.0, "peak_rss_gb": 0.0, "steps": {}})
        entry["runs"] += 1
        entry["seconds"] = round(entry["seconds"] + stage["seconds"], 2)
        entry["peak_rss_gb"] = max(entry["peak_rss_gb"], stage["peak_rss_gb"])
        for step, seconds in stage.get("steps", {}).items():  # seconds per asset step
            entry["steps"][step] = round(entry["steps"].get(step, 0.0) + seconds, 2)
    ingest = [s for s in probe["stages"] if s["job"] == "ingest_job"]
    return {
        "seconds": probe["seconds"],
        "peak_rss_gb": max([outcome["peak_rss_gb"]] + [s["peak_rss_gb"] for s in probe["stages"]]),
        "stages": by_job,
        "ingest_first_s": ingest[0]["seconds"] if ingest else None,
        "ingest_last_s": ingest[-1]["seconds"] if ingest else None,
    }


def warehouse_counts(warehouse: Path, last: date, window: int) -> dict:
    import duckdb

    start = last + timedelta(days=1) - timedelta(days=window)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        in_window, last_day = con.execute(
            "select count(*) filter (where event_ts >= $start and event_ts < $end), "
            "count(*) filter (where _delivery_date = $last) from raw.events",
            {"start": start, "end": last + timedelta(days=1), "last": last},
        ).fetchone()
        accounts = con.execute(
            "select count(*) from account_features where run_date = $last", {"last": last}
        ).fetchone()[0]
    return {"events_in_window": in_window, "events_last_day": last_day, "accounts_scored": accounts}


SORT_SCRIPT = """
import sys, duckdb
path, start, end, memory, threads, temp = sys.argv[1:7]
con = duckdb.connect(path, config={"temp_directory": temp})
con.execute(f"set memory_limit='{memory}'; set threads={int(threads)}; set TimeZone='UTC'")
print(con.execute('''
    select count(*), sum(epoch(event_ts) - epoch(previous_ts))
    from (
        select event_ts,
               lag(event_ts) over (partition by account_id order by event_ts) as previous_ts
        from raw.events
        where event_ts >= cast($1 as timestamptz) and event_ts < cast($2 as timestamptz)
    )
''', [start, end]).fetchone())
"""


def yardsticks(
    work: Path, last: date, window: int, full_scope: str = "stage", suffix: str = ""
) -> dict:
    """Full recompute and plain sort, each in its own process, on a copy of the warehouse."""
    from realpeople.settings import load_settings

    env = pipeline_env(work, window)
    copy = work / "yardstick.duckdb"
    shutil.copyfile(work / "data" / "warehouse.duckdb", copy)
    env["REALPEOPLE_WAREHOUSE_PATH"] = str(copy)
    settings = load_settings(env)
    start = last + timedelta(days=1) - timedelta(days=window)
    sort = run_child(
        [
            sys.executable,
            "-c",
            SORT_SCRIPT,
            str(copy),
            start.isoformat(),
            (last + timedelta(days=1)).isoformat(),
            settings.duckdb_memory_limit,
            str(settings.duckdb_threads),
            str(work / "duckdb_tmp"),
        ],
        env,
        work / f"sort{suffix}.log",
    )
    dbt_env = {**env, **settings.subprocess_env(), **settings.dbt_run_env(last.isoformat())}
    dbt_env["REALPEOPLE_WAREHOUSE_PATH"] = str(copy)
    # The same nodes as the features stage's `dbt build` (assets.py), from scratch; or, as
    # up to stop 32, the models up to the mart only.
    scope = (
        ["run", "--full-refresh", "--select", "+account_features"]
        if full_scope == "mart"
        else ["build", "--full-refresh", "--exclude-resource-type", "unit_test"]
    )
    full = run_child(
        [
            str(Path(sys.executable).parent / "dbt"),
            *scope,
            "--project-dir",
            str(ROOT / "dbt_project"),
            "--profiles-dir",
            str(ROOT / "dbt_project"),
            "--target-path",
            str(work / "dbt_full"),
            "--vars",
            json.dumps(settings.dbt_vars()),
        ],
        dbt_env,
        work / f"full{suffix}.log",
    )
    copy.unlink()
    # A failed yardstick is no yardstick: a ratio over it would read as a result.
    for name, outcome in (("full recompute", full), ("plain sort", sort)):
        if outcome["exit_code"] != 0:
            raise SystemExit(f"{name} failed (exit {outcome['exit_code']}); see {outcome['log']}")
    return {"full": full, "sort": sort}


def move_date(work: Path, day: date, source: str, destination: str) -> None:
    """Move every table's ``dt=day`` folder from ``work/source`` to ``work/destination``
    (``landing``: what the pipeline sees; ``held``: what it does not yet)."""
    for table in TABLES:
        folder = work / source / table / f"dt={day.isoformat()}"
        if folder.exists():
            (work / destination / table).mkdir(parents=True, exist_ok=True)
            folder.rename(work / destination / table / folder.name)


def restore_history(work: Path, last: date) -> None:
    """Back to the warehouse as the history left it, the last date held back again."""
    shutil.rmtree(work / "data")
    shutil.copytree(work / "data-after-history", work / "data")
    move_date(work, last, "landing", "held")


def stage_seconds(run: dict, stage: str) -> float:
    return run["stages"].get(stage, {}).get("seconds") or 0.0


def median_run(runs: list[dict]) -> dict:
    """The run of median wall time (the lower middle one of an even count), whole: its
    stages belong together."""
    ordered = sorted(runs, key=lambda run: run["seconds"])
    return ordered[(len(ordered) - 1) // 2]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--accounts", type=int, default=100_000)
    parser.add_argument("--window", type=int, default=28, help="feature window (days)")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--end-date", default="2026-11-15")
    parser.add_argument("--work-dir", type=Path, default=Path("/tmp/bench-daily"))
    parser.add_argument("--reuse", action="store_true", help="keep the world and history run")
    parser.add_argument(
        "--warm-days",
        type=int,
        default=0,
        help="daily runs (of the dates before the last, untimed) after the history, so that "
        "the timed run follows a daily run; part of the history: --reuse keeps them",
    )
    parser.add_argument(
        "--repeats",
        type=int,
        default=1,
        help="time the daily run and the yardsticks this many times, interleaved; the "
        "figures are the median run's, the ratios the medians'",
    )
    parser.add_argument(
        "--full-scope",
        choices=("stage", "mart"),
        default="stage",
        help="full recompute of the features stage's dbt build (default), or of the models "
        "up to account_features only (the yardstick up to stop 32)",
    )
    args = parser.parse_args(argv)
    work: Path = args.work_dir
    last = date.fromisoformat(args.end_date)
    days = args.window + 2
    figures: dict = {
        "accounts": args.accounts,
        "window_days": args.window,
        "days_simulated": days,
        "warm_days": args.warm_days,
        "load_average_start": [round(x, 2) for x in os.getloadavg()],
        "cpus": os.cpu_count(),
    }
    history_json = work / "history.json"
    if not (args.reuse and history_json.exists()):
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        figures["simulate"] = run_child(
            [
                sys.executable,
                "-m",
                "realpeople.simulator",
                "--accounts",
                str(args.accounts),
                "--days",
                str(days),
                "--seed",
                str(args.seed),
                "--end-date",
                args.end_date,
                "--landing-dir",
                str(work / "landing"),
                "--truth-path",
                str(work / "truth.parquet"),
            ],
            dict(os.environ),
            work / "simulate.log",
        )
        warm = [last - timedelta(days=n) for n in range(args.warm_days, 0, -1)]
        for day in [*warm, last]:
            move_date(work, day, "landing", "held")
        figures["history"] = probed_run(work, args.window, "history")
        # Daily runs before the timed one, as a platform runs every day: the timed build
        # then rebuilds what a daily build left, not what the history's full build did.
        for day in warm:
            move_date(work, day, "held", "landing")
            figures.setdefault("warm_up", []).append(
                {"date": day.isoformat(), **probed_run(work, args.window, f"warm-{day}")}
            )
        shutil.copytree(work / "data", work / "data-after-history")
    else:
        restore_history(work, last)
    dailies, fulls, sorts = [], [], []
    for repeat in range(args.repeats):
        if repeat:
            # Every timed daily run starts from the warehouse the history left.
            restore_history(work, last)
        move_date(work, last, "held", "landing")  # the daily run's new delivery
        name = "daily" if repeat == 0 else f"daily-{repeat + 1}"
        dailies.append(probed_run(work, args.window, name))
        if repeat == 0:
            figures["rerun_nothing_new"] = probed_run(work, args.window, "rerun")
            figures.update(warehouse_counts(work / "data" / "warehouse.duckdb", last, args.window))
        sticks = yardsticks(work, last, args.window, args.full_scope, suffix=name[5:])
        fulls.append({**sticks["full"], "scope": args.full_scope})
        sorts.append(sticks["sort"])
    figures["daily"] = median_run(dailies)
    figures["full_recompute"] = median_run(fulls)
    figures["plain_sort"] = median_run(sorts)
    if args.repeats > 1:
        figures["repeats"] = {
            "daily_s": [d["seconds"] for d in dailies],
            "daily_features_s": [stage_seconds(d, "features") for d in dailies],
            "full_recompute_s": [f["seconds"] for f in fulls],
            "plain_sort_s": [s["seconds"] for s in sorts],
        }
    daily_s = statistics.median(d["seconds"] for d in dailies)
    daily_features = statistics.median(stage_seconds(d, "features") for d in dailies)
    full_s = statistics.median(f["seconds"] for f in fulls)
    sort_s = statistics.median(s["seconds"] for s in sorts)
    figures["ratios"] = {
        "daily_run_over_full_recompute": round(daily_s / full_s, 3),
        "daily_features_over_full_recompute": round(daily_features / full_s, 3),
        "full_recompute_over_plain_sort": round(full_s / sort_s, 3),
    }
    events_last_day = figures["events_last_day"]
    ingest_s = figures["daily"]["stages"].get("ingest", {}).get("seconds")
    if ingest_s:
        figures["daily_ingest_events_per_s"] = round(events_last_day / ingest_s)
    figures["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
