"""Benchmark: build account_features for a simulated world and compare with one scan.

Not a test. Simulate a world first (outside the repository, e.g. under /tmp):

    python -m realpeople.simulator --accounts 100000 --days 14 --seed 3 --end-date 2026-11-15 \
        --landing-dir /tmp/bench/landing --truth-path /tmp/bench/truth.parquet
    python benchmarks/features.py --landing-dir /tmp/bench/landing --work-dir /tmp/bench/work

It loads the landing zone into raw.* of a fresh DuckDB file (the lineage columns the
ingestion step writes; load time is not part of the figures), then measures, each in a
child process so peak memory is that of the step alone:

  scan      one DuckDB pass over the event columns the features read
  features  `dbt run` of every model up to account_features (no tests)

and prints wall time, peak RSS and the ratio features / scan.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = ROOT / "dbt_project"
from realpeople.contract import TABLES

SCAN_SQL = """
select count(*), count(distinct account_id), max(event_ts), count(event_type), count(client),
       count(device_id), count(ip_country), count(target_account_id), count(target_event_id),
       sum(length(text)), count(image_hash), count(location_tag), count(ai_label),
       count(ai_metadata), count(commercial), max(_delivery_date)
from raw.events
"""


def load_raw(landing: Path, warehouse: Path, memory_limit: str, temp_dir: Path) -> dict[str, int]:
    con = duckdb.connect(str(warehouse))
    con.execute(
        f"set memory_limit='{memory_limit}'; set temp_directory='{temp_dir}'; "
        "set preserve_insertion_order=false"
    )
    con.execute("create schema raw")
    counts = {}
    for table in TABLES:
        parts = []
        for kind, reader in (("parquet", "read_parquet"), ("csv", "read_csv")):
            files = sorted((landing / table).glob(f"dt=*/*.{kind}"))
            if not files:
                continue
            opts = "filename=true" + (", header=true" if kind == "csv" else "")
            parts.append(f"""
                select * exclude (filename),
                       cast(regexp_extract(filename, 'dt=([0-9-]+)', 1) as date) as _delivery_date,
                       filename as _source_file,
                       row_number() over (partition by filename) - 1 as _file_row,
                       now()::timestamp as _loaded_at
                from {reader}({[str(f) for f in files]}, {opts}, union_by_name=true)""")
        con.execute(f"create table raw.{table} as {' union all by name '.join(parts)}")
        counts[table] = con.execute(f"select count(*) from raw.{table}").fetchone()[0]
    con.close()
    return counts


def raw_counts(warehouse: Path) -> dict[str, int]:
    """Rows per raw table of a loaded warehouse."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {t: con.execute(f"select count(*) from raw.{t}").fetchone()[0] for t in TABLES}


def timed_child(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (GB) of one child process: os.wait4 (not Popen.wait), so
    the rusage is this child's alone, not the maximum over every child so far."""
    started = time.perf_counter()
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    if status:
        raise SystemExit(f"{args[0]} failed (status {status}); see the work dir's logs")
    return elapsed, usage.ru_maxrss / 1024 / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--landing-dir", type=Path, required=True)
    parser.add_argument("--work-dir", type=Path, required=True)
    parser.add_argument("--memory-limit", default="4GB")
    parser.add_argument("--threads", default="2")
    parser.add_argument("--keep", action="store_true", help="keep the work dir")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="reuse the raw tables of a kept work dir (loading 50M events takes minutes)",
    )
    args = parser.parse_args()

    work = args.work_dir
    warehouse, temp_dir = work / "warehouse.duckdb", work / "duckdb_tmp"
    if args.reuse and warehouse.exists():
        counts = raw_counts(warehouse)
        print(f"reusing {counts}", flush=True)
    else:
        if work.exists():
            shutil.rmtree(work)
        work.mkdir(parents=True)
        started = time.perf_counter()
        # In a spawned process: Linux keeps a process's peak RSS across fork and exec, so
        # a parent that had loaded the events itself would pass its peak to every child
        # measured below.
        loader = multiprocessing.get_context("spawn").Process(
            target=load_raw, args=(args.landing_dir, warehouse, args.memory_limit, temp_dir)
        )
        loader.start()
        loader.join()
        if loader.exitcode:
            raise SystemExit(f"loading {args.landing_dir} failed")
        counts = raw_counts(warehouse)
        print(f"loaded {counts} in {time.perf_counter() - started:.0f} s", flush=True)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        run_date = str(con.execute("select max(_delivery_date) from raw.events").fetchone()[0])

    env = dict(
        os.environ,
        REALPEOPLE_WAREHOUSE_PATH=str(warehouse),
        REALPEOPLE_DUCKDB_TEMP_DIR=str(temp_dir),
        REALPEOPLE_DUCKDB_MEMORY_LIMIT=args.memory_limit,
        REALPEOPLE_DUCKDB_THREADS=args.threads,
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
    )
    scan_code = (
        "import duckdb, sys; c = duckdb.connect(sys.argv[1], read_only=True); "
        f"c.execute(\"set memory_limit='{args.memory_limit}'; set threads={args.threads}\"); "
        f"c.execute({SCAN_SQL!r}).fetchall()"
    )
    scan_s, scan_gb = timed_child([sys.executable, "-c", scan_code, str(warehouse)], env)
    dbt = str(Path(sys.executable).with_name("dbt"))
    feat_s, feat_gb = timed_child(
        [
            dbt,
            "run",
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(work / "target"),
            "--log-path",
            str(work / "logs"),
            "--vars",
            json.dumps({"run_date": run_date}),
        ],
        env,
    )
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute("select count(*) from main.account_features").fetchone()[0]
    result = {
        "accounts": counts["accounts"],
        "events": counts["events"],
        "feature_rows": rows,
        "scan_seconds": round(scan_s, 1),
        "scan_peak_gb": round(scan_gb, 2),
        "features_seconds": round(feat_s, 1),
        "features_peak_gb": round(feat_gb, 2),
        "ratio_to_scan": round(feat_s / scan_s, 1),
        "memory_limit": args.memory_limit,
        "threads": args.threads,
    }
    print(json.dumps(result, indent=2))
    run_results = json.loads((work / "target" / "run_results.json").read_text())
    for r in sorted(run_results["results"], key=lambda r: -r["execution_time"]):
        print(f"  {r['unique_id'].split('.')[-1]:40s} {r['execution_time']:7.1f} s")
    if not args.keep:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
