"""Benchmark: load throughput of one 1M-row events file, Parquet and CSV.

Not a test. Writes one events delivery (a single file of ``--rows`` rows, the contract's
columns with realistic widths) under ``--work-dir``, then times ``load_delivery`` into a
fresh DuckDB file ``--repeat`` times per format (a reload replaces the delivery, so every
repetition does the same work) and prints rows/s for the median run:

    python benchmarks/ingest.py --work-dir /tmp/realpeople-bench-ingest

To compare with an older loader, run this same script with that checkout first on
``sys.path`` (``--repo /path/to/old/checkout``); the generated files are identical.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

DAY = date(2026, 11, 1)


def events_file(rows: int, seed: int = 7) -> pa.Table:
    """``rows`` events of one day: ids, types, clients, some texts and targets, booleans."""
    rng = np.random.default_rng(seed)
    start = datetime(DAY.year, DAY.month, DAY.day, tzinfo=timezone.utc)
    seconds = rng.integers(0, 86_400, rows)
    types = np.array(["post", "comment", "like", "follow", "dm", "group_message", "login"])
    clients = np.array(["app_ios", "app_android", "web", "api"])
    event_type = types[rng.integers(0, len(types), rows)]
    has_text = np.isin(event_type, ["post", "comment", "dm", "group_message"])
    words = np.array(["the", "new", "course", "today", "great", "photo", "thanks", "link",
                      "morning", "coffee", "launch", "follow", "amazing", "deal", "friends"])
    text = [" ".join(words[rng.integers(0, len(words), 12)]) if t else None for t in has_text]
    accounts = rng.integers(0, 50_000, rows)
    targets = rng.integers(0, 50_000, rows)
    with_target = rng.random(rows) < 0.6
    flags = rng.random((3, rows))
    return pa.table({
        "event_id": pa.array([f"e{i:09d}" for i in range(rows)]),
        "account_id": pa.array([f"a{a:06d}" for a in accounts]),
        "event_ts": pa.array([start + timedelta(seconds=int(s)) for s in seconds],
                             pa.timestamp("us", tz="UTC")),
        "event_type": pa.array(event_type),
        "client": pa.array(clients[rng.integers(0, len(clients), rows)]),
        "device_id": pa.array([f"d{a:07d}" for a in accounts]),
        "ip_country": pa.array(np.array(["DE", "US", "BR", "IN", "FR"])[accounts % 5]),
        "target_account_id": pa.array([f"a{t:06d}" if w else None for t, w in zip(targets, with_target)]),
        "target_event_id": pa.array([f"e{i - 1:09d}" if t and i else None for i, t in enumerate(has_text)]),
        "text": pa.array(text),
        "image_hash": pa.array([None] * rows, pa.string()),
        "location_tag": pa.array([None] * rows, pa.string()),
        "ai_label": pa.array(flags[0] < 0.05),
        "ai_metadata": pa.array(flags[1] < 0.05),
        "commercial": pa.array(flags[2] < 0.02),
    })


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work-dir", type=Path, default=Path("/tmp/realpeople-bench-ingest"))
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--repo", type=Path, default=Path(__file__).resolve().parents[1],
                        help="the checkout whose loader is timed (default: this one)")
    parser.add_argument("--formats", default="parquet,csv")
    args = parser.parse_args()
    sys.path.insert(0, str(args.repo))
    import duckdb

    from orchestration.ingest.loader import load_delivery

    source = args.work_dir / "files"
    if not (source / "part-0.parquet").exists() or not (source / "part-0.csv").exists():
        shutil.rmtree(args.work_dir, ignore_errors=True)
        source.mkdir(parents=True)
        table = events_file(args.rows)
        pq.write_table(table, source / "part-0.parquet")
        pacsv.write_csv(table, source / "part-0.csv")
    print(f"loader from {args.repo}; {args.rows:,} events; load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for fmt in args.formats.split(","):
        # One landing zone per format holding just that file (a hard link, no copy).
        landing = args.work_dir / f"landing-{fmt}"
        shutil.rmtree(landing, ignore_errors=True)
        folder = landing / "events" / f"dt={DAY.isoformat()}"
        folder.mkdir(parents=True)
        os.link(source / f"part-0.{fmt}", folder / f"part-0.{fmt}")
        warehouse = args.work_dir / f"bench-{fmt}.duckdb"
        warehouse.unlink(missing_ok=True)
        times = []
        with duckdb.connect(str(warehouse)) as con:
            for _ in range(args.repeat):
                started = time.perf_counter()
                report = load_delivery(con, landing, "events", DAY)
                times.append(time.perf_counter() - started)
                assert report.rows_loaded == args.rows, (report.rows_loaded, report.messages)
        median = statistics.median(times)
        print(f"  {fmt:<8} median {median:6.2f} s of {len(times)} "
              f"({', '.join(f'{t:.2f}' for t in times)}): {args.rows / median:,.0f} rows/s")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
