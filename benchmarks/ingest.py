"""Benchmark: load throughput of one 1M-row events file, Parquet and CSV.

Not a test. Writes one events delivery (a single file of ``--rows`` rows, the contract's
columns with realistic widths) under ``--work-dir``, then times ``load_delivery`` of it
into a fresh DuckDB file in a fresh process (a warm-up load, then a timed reload; the
connection has the pipeline's settings: ``REALPEOPLE_DUCKDB_MEMORY_LIMIT`` and the rest),
``--repeat`` times per format, and prints wall and CPU seconds (median), rows/s, the
loading process's peak resident memory and the peak of pyarrow's memory pool (what the
reader holds in Arrow: the read-ahead's bound):

    python benchmarks/ingest.py --work-dir /tmp/realpeople-bench-ingest

``--before /path/to/old/checkout`` times that checkout's loader (its ``src/``) too,
interleaved run by run with this one (so a busy machine slows both alike), on the same
files:

    mkdir /tmp/before && git archive 15433dd src | tar -x -C /tmp/before
    python benchmarks/ingest.py --before /tmp/before

``--rows 8000000`` is a day at 1M accounts: its files take 1.6 GB (Parquet 0.26 GB, CSV
1.3 GB) and each DuckDB file ~0.5 GB under ``--work-dir`` (remove it afterwards).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

DAY = date(2026, 11, 1)


def events_file(rows: int, seed: int = 7) -> pa.Table:
    """``rows`` events of one day: ids, types, clients, some texts and targets, booleans."""
    rng = np.random.default_rng(seed)
    start = datetime(DAY.year, DAY.month, DAY.day, tzinfo=UTC)
    seconds = rng.integers(0, 86_400, rows)
    types = np.array(["post", "comment", "like", "follow", "dm", "group_message", "login"])
    clients = np.array(["app_ios", "app_android", "web", "api"])
    event_type = types[rng.integers(0, len(types), rows)]
    has_text = np.isin(event_type, ["post", "comment", "dm", "group_message"])
    words = np.array(
        [
            "the",
            "new",
            "course",
            "today",
            "great",
            "photo",
            "thanks",
            "link",
            "morning",
            "coffee",
            "launch",
            "follow",
            "amazing",
            "deal",
            "friends",
        ]
    )
    text = [" ".join(words[rng.integers(0, len(words), 12)]) if t else None for t in has_text]
    accounts = rng.integers(0, 50_000, rows)
    targets = rng.integers(0, 50_000, rows)
    with_target = rng.random(rows) < 0.6
    flags = rng.random((3, rows))
    return pa.table(
        {
            "event_id": pa.array([f"e{i:09d}" for i in range(rows)]),
            "account_id": pa.array([f"a{a:06d}" for a in accounts]),
            "event_ts": pa.array(
                [start + timedelta(seconds=int(s)) for s in seconds], pa.timestamp("us", tz="UTC")
            ),
            "event_type": pa.array(event_type),
            "client": pa.array(clients[rng.integers(0, len(clients), rows)]),
            "device_id": pa.array([f"d{a:07d}" for a in accounts]),
            "ip_country": pa.array(np.array(["DE", "US", "BR", "IN", "FR"])[accounts % 5]),
            "target_account_id": pa.array(
                [f"a{t:06d}" if w else None for t, w in zip(targets, with_target)]
            ),
            "target_event_id": pa.array(
                [f"e{i - 1:09d}" if t and i else None for i, t in enumerate(has_text)]
            ),
            "text": pa.array(text),
            "image_hash": pa.array([None] * rows, pa.string()),
            "location_tag": pa.array([None] * rows, pa.string()),
            "ai_label": pa.array(flags[0] < 0.05),
            "ai_metadata": pa.array(flags[1] < 0.05),
            "commercial": pa.array(flags[2] < 0.02),
        }
    )


def child(repo: Path, landing: Path, warehouse: Path) -> None:
    """The delivery loaded by the loader of ``repo`` (its ``src/``) into a fresh DuckDB file
    opened with the pipeline's connection settings (memory limit, threads, spill folder, as
    the environment sets them), twice: the first load pays the process's one-time costs
    (lazy imports, e.g. pandas when DuckDB first sees a Python object), the second (a
    reload: it replaces the first) is timed. Prints wall and CPU seconds (all threads), the
    process's peak resident memory over both loads, and the peak of pyarrow's memory pool
    during the timed load (sampled every 20 ms: the batches read but not yet taken by
    DuckDB, and the one being decoded) as JSON."""
    sys.path.insert(0, str(repo / "src"))
    import threading

    import duckdb

    from realpeople.defs.ingest.loader import load_delivery
    from realpeople.settings import load_settings

    config = load_settings().duckdb_config()
    Path(config["temp_directory"]).mkdir(parents=True, exist_ok=True)
    warehouse.unlink(missing_ok=True)
    arrow_peak, timing = [0], threading.Event()

    def sample_arrow_pool() -> None:
        while True:
            timing.wait()
            arrow_peak[0] = max(arrow_peak[0], pa.total_allocated_bytes())
            time.sleep(0.02)

    threading.Thread(target=sample_arrow_pool, daemon=True).start()
    with duckdb.connect(str(warehouse), config=config) as con:
        load_delivery(con, landing, "events", DAY)
        timing.set()
        wall, cpu = time.perf_counter(), time.process_time()
        report = load_delivery(con, landing, "events", DAY)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        timing.clear()
    warehouse.unlink(missing_ok=True)
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6  # ru_maxrss is in KiB
    print(
        json.dumps(
            {
                "wall": wall,
                "cpu": cpu,
                "rows": report.rows_loaded,
                "peak_gb": peak_gb,
                "arrow_peak_mb": arrow_peak[0] / 2**20,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work-dir", type=Path, default=Path("/tmp/realpeople-bench-ingest"))
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--before",
        type=Path,
        default=None,
        help="an older checkout: its loader is timed too, interleaved run by run",
    )
    parser.add_argument("--formats", default="parquet,csv")
    parser.add_argument("--child", nargs=3, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
        return
    source = args.work_dir / "files"
    if not (source / "part-0.parquet").exists() or not (source / "part-0.csv").exists():
        shutil.rmtree(args.work_dir, ignore_errors=True)
        source.mkdir(parents=True)
        table = events_file(args.rows)
        pq.write_table(table, source / "part-0.parquet")
        pacsv.write_csv(table, source / "part-0.csv")
    this = Path(__file__).resolve().parents[1]
    loaders = {"after": this} | ({"before": args.before.resolve()} if args.before else {})
    print(
        f"{args.rows:,} events per file; {args.repeat} loads per loader and format, each a timed "
        f"reload after a warm-up load in a fresh process, loaders interleaved; load average at start "
        f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    for fmt in args.formats.split(","):
        # One landing zone per format holding just that file (a hard link, no copy).
        landing = args.work_dir / f"landing-{fmt}"
        shutil.rmtree(landing, ignore_errors=True)
        folder = landing / "events" / f"dt={DAY.isoformat()}"
        folder.mkdir(parents=True)
        os.link(source / f"part-0.{fmt}", folder / f"part-0.{fmt}")
        runs: dict[str, list[dict]] = {name: [] for name in loaders}
        for _ in range(args.repeat):
            for name, repo in loaders.items():
                out = subprocess.run(
                    [
                        sys.executable,
                        __file__,
                        "--child",
                        str(repo),
                        str(landing),
                        str(args.work_dir / f"bench-{name}.duckdb"),
                    ],
                    check=True,
                    capture_output=True,
                    text=True,
                ).stdout
                run = json.loads(out.strip().splitlines()[-1])
                assert run["rows"] == args.rows, run
                runs[name].append(run)
        for name, results in runs.items():
            walls = ", ".join(f"{r['wall']:.2f}" for r in results)
            wall = statistics.median(r["wall"] for r in results)
            cpu = statistics.median(r["cpu"] for r in results)
            peak = max(r["peak_gb"] for r in results)
            arrow = max(r["arrow_peak_mb"] for r in results)
            print(
                f"  {fmt:<8} {name:<7} wall median {wall:5.2f} s ({args.rows / wall:9,.0f} rows/s), "
                f"CPU median {cpu:5.2f} s ({args.rows / cpu:9,.0f} rows/CPU-s), "
                f"peak RSS {peak:.2f} GB, Arrow pool peak {arrow:,.0f} MB; walls {walls}"
            )
    print(f"load average at end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
