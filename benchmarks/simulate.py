"""Benchmark of the world simulator: throughput and peak memory at platform scale.

Not a test: run it by hand on a quiet machine and copy the table into docs/benchmarks.md.

    python benchmarks/simulate.py                       # 100k and 1M accounts, 14 days
    python benchmarks/simulate.py --accounts 100000 --days 7 --out /tmp/simbench

Each size runs `python -m realpeople.simulator` in a child process, so the peak resident memory
(`ru_maxrss` from `os.wait4`) is that run's alone.  The output goes under --out
(default: a fresh folder in /tmp) and is deleted after each run unless --keep.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def run_once(accounts: int, days: int, seed: int, out: Path) -> dict:
    landing, truth = out / "landing", out / "truth" / "ground_truth.parquet"
    cmd = [
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
        "2026-11-15",
        "--landing-dir",
        str(landing),
        "--truth-path",
        str(truth),
    ]
    repo = Path(__file__).resolve().parents[1]
    out.mkdir(parents=True, exist_ok=True)
    log = out / "simulator.log"
    t0 = time.perf_counter()
    with open(log, "w") as fh:
        # os.wait4 (not Popen.wait) so that the rusage is this child's alone
        proc = subprocess.Popen(cmd, cwd=repo, stdout=fh, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t0
    stdout = log.read_text()
    if status:
        raise SystemExit(f"simulator failed ({accounts} accounts):\n{stdout}")
    events = int(re.search(r"^events: (\d+) rows", stdout, re.MULTILINE).group(1))
    size = sum(p.stat().st_size for p in landing.rglob("*") if p.is_file())
    return {
        "accounts": accounts,
        "days": days,
        "events": events,
        "seconds": seconds,
        "events_per_s": events / seconds,
        "peak_rss_gb": usage.ru_maxrss / 2**20,
        "landing_gb": size / 2**30,
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--accounts", type=int, nargs="+", default=[100_000, 1_000_000])
    ap.add_argument("--days", type=int, default=14)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", default=None, help="where to write (default: a temp dir in /tmp)")
    ap.add_argument("--keep", action="store_true", help="keep the simulated files")
    args = ap.parse_args(argv)
    print(
        f"{'accounts':>10} {'days':>4} {'events':>12} {'seconds':>8} {'events/s':>10} "
        f"{'peak RSS GB':>11} {'on disk GB':>10}"
    )
    for n in args.accounts:
        out = Path(args.out or tempfile.mkdtemp(prefix="simbench-", dir="/tmp")) / f"n{n}"
        shutil.rmtree(out, ignore_errors=True)
        try:
            r = run_once(n, args.days, args.seed, out)
        finally:
            if not args.keep:
                shutil.rmtree(out, ignore_errors=True)
        print(
            f"{r['accounts']:>10,} {r['days']:>4} {r['events']:>12,} {r['seconds']:>8.1f} "
            f"{r['events_per_s']:>10,.0f} {r['peak_rss_gb']:>11.2f} {r['landing_gb']:>10.2f}",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
