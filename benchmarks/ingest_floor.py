"""The engine's own floor for loading an events delivery: DuckDB copying the 1M-row
contract Parquet file of benchmarks/ingest.py into a table and checkpointing it, with no
validation, no quarantine and no bookkeeping. Issue 15 asks for 1M events/s with all of
those; this prints what the plain copy reaches on this machine (a script, not a test).

    python benchmarks/ingest_floor.py [--repeat 5] [--work-dir /tmp/realpeople-ingest-floor]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ingest import events_file


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work-dir", type=Path, default=Path("/tmp/realpeople-ingest-floor"))
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    args.work_dir.mkdir(parents=True, exist_ok=True)
    source = args.work_dir / "events.parquet"
    if not source.exists():
        pq.write_table(events_file(args.rows), source)
    for trial in range(args.repeat):
        target = args.work_dir / "floor.duckdb"
        target.unlink(missing_ok=True)
        with duckdb.connect(str(target)) as con:
            con.execute("create table t as select * from read_parquet(?) limit 0", [str(source)])
            wall, cpu = time.perf_counter(), _cpu()
            con.execute("insert into t select * from read_parquet(?)", [str(source)])
            con.execute("checkpoint")
            wall, cpu = time.perf_counter() - wall, _cpu() - cpu
        print(
            f"trial {trial + 1}: {args.rows:,} rows, wall {wall:.2f} s ({args.rows / wall:,.0f} rows/s), "
            f"CPU {cpu:.2f} s, load average {os.getloadavg()[0]:.1f}"
        )


if __name__ == "__main__":
    main()
