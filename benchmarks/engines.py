"""Benchmark: `dbt run` of the feature models on DuckDB and on local Spark, same world.

Not a test. Prints figures for the sizing table in docs/scaling.md:

    python benchmarks/engines.py --accounts 9000 --days 14 --work-dir /tmp/bench-engines
    python benchmarks/engines.py --accounts 90000 --days 14 --work-dir /tmp/bench-engines

(~8 events per account-day: 9k x 14 is ~1M events, 90k x 14 ~10M.) Steps:

  simulate  the simulator writes the landing zone (not timed in the figures)
  load      the landing zone into a fresh DuckDB raw.* (benchmarks/features.py's bulk load)
  export    raw.* -> the raw Parquet dataset Spark reads (src/realpeople/defs/ingest/export.py)
  duckdb    `dbt run --target duckdb` (every model, no tests), one child process
  spark     `dbt run --target spark`: a local Spark (local[N]) inside the dbt process

Each engine step runs in a child process; its peak memory is the largest sum of RSS over
the child's process tree (for Spark: the dbt process plus its JVM), sampled every 0.2 s.
The load average before and after is printed: on a shared machine it explains a lot.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from features import load_raw

from realpeople.contract import TABLES
from realpeople.defs.ingest.export import export_raw
from realpeople.settings import DBT_PROJECT_DIR


def run_measured(args: list[str], env: dict[str, str], log: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (GB, summed over the process tree) of one child."""
    started = time.perf_counter()
    with log.open("w") as out:
        child = subprocess.Popen(
            args, env=env, cwd=DBT_PROJECT_DIR, stdout=out, stderr=subprocess.STDOUT
        )
        proc = psutil.Process(child.pid)
        peak = 0
        while child.poll() is None:
            try:
                tree = [proc, *proc.children(recursive=True)]
                peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
            except psutil.Error:
                pass
            time.sleep(0.2)
    elapsed = time.perf_counter() - started
    if child.returncode != 0:
        raise SystemExit(f"{args[1]} failed ({child.returncode}); see {log}")
    return elapsed, peak / 1024**3


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, required=True)
    parser.add_argument("--days", type=int, default=14)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--work-dir", type=Path, required=True)
    parser.add_argument("--engines", nargs="+", default=["duckdb", "spark"])
    parser.add_argument("--memory-limit", default="4GB", help="DuckDB memory_limit")
    parser.add_argument("--spark-driver-memory", default="6g")
    parser.add_argument("--keep", action="store_true", help="keep the work dir")
    args = parser.parse_args()

    work = args.work_dir
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    print(f"load average before: {os.getloadavg()}", flush=True)

    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "realpeople.simulator",
            "--accounts",
            str(args.accounts),
            "--days",
            str(args.days),
            "--seed",
            str(args.seed),
            "--end-date",
            "2026-11-15",
            "--landing-dir",
            str(work / "landing"),
            "--truth-path",
            str(work / "truth.parquet"),
        ],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    print(f"simulated in {time.perf_counter() - started:.0f} s", flush=True)
    warehouse, temp_dir = work / "warehouse.duckdb", work / "duckdb_tmp"
    started = time.perf_counter()
    counts = load_raw(work / "landing", warehouse, args.memory_limit, temp_dir)
    print(f"loaded {counts} in {time.perf_counter() - started:.0f} s", flush=True)
    started = time.perf_counter()
    with duckdb.connect(str(warehouse)) as con:
        partitions = export_raw(con, work / "raw_parquet", tuple(TABLES))
        run_date = str(con.execute("select max(_delivery_date) from raw.events").fetchone()[0])
    export_s = time.perf_counter() - started
    print(f"exported {partitions} partitions in {export_s:.0f} s", flush=True)

    env = dict(
        os.environ,
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        REALPEOPLE_WAREHOUSE_PATH=str(warehouse),
        REALPEOPLE_DUCKDB_TEMP_DIR=str(temp_dir),
        REALPEOPLE_DUCKDB_MEMORY_LIMIT=args.memory_limit,
        REALPEOPLE_RAW_PARQUET_DIR=str(work / "raw_parquet"),
        REALPEOPLE_SPARK_DIR=str(work / "spark"),
        REALPEOPLE_SPARK_DRIVER_MEMORY=args.spark_driver_memory,
    )
    dbt = str(Path(sys.executable).with_name("dbt"))
    result = {
        "accounts": counts["accounts"],
        "events": counts["events"],
        "run_date": run_date,
        "export_seconds": round(export_s, 1),
    }
    for engine in args.engines:
        out = work / engine
        seconds, peak_gb = run_measured(
            [
                dbt,
                "run",
                "--target",
                engine,
                "--project-dir",
                str(DBT_PROJECT_DIR),
                "--profiles-dir",
                str(DBT_PROJECT_DIR),
                "--target-path",
                str(out / "target"),
                "--log-path",
                str(out / "logs"),
                "--vars",
                json.dumps({"run_date": run_date}),
            ],
            env,
            work / f"{engine}.log",
        )
        result[f"{engine}_seconds"] = round(seconds, 1)
        result[f"{engine}_peak_gb"] = round(peak_gb, 2)
        print(
            f"{engine}: {seconds:.0f} s, peak {peak_gb:.2f} GB "
            f"(load average now {os.getloadavg()[0]:.1f})",
            flush=True,
        )
        run_results = json.loads((out / "target" / "run_results.json").read_text())
        for r in sorted(run_results["results"], key=lambda r: -r["execution_time"])[:6]:
            print(f"  {r['unique_id'].split('.')[-1]:40s} {r['execution_time']:7.1f} s")
    result["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(result, indent=2))
    if not args.keep:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
