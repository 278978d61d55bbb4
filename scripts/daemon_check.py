"""The daemon's road, end to end: `dg dev` alone publishes a landing zone, and `make run`
then finds nothing left to do.

    python scripts/daemon_check.py [--accounts 2000] [--days 6] [--timeout 900] [--keep]

1. Makes a small world in a temporary folder (its own landing zone, data dir,
   DAGSTER_HOME and MLflow store) and prepares the instance (``realpeople prepare``).
2. Starts `dg dev` on 127.0.0.1 (``scripts/ui.py``'s helpers): the daemon ticks the
   delivery sensor and the ``run_policy`` sensor (src/realpeople/defs/policy.py). No run
   is launched by hand.
3. Waits until the run date's files are published, then lists every run the daemon
   launched (job or assets, partition, status).
4. Stops `dg dev`, and runs ``python -m realpeople run`` on the same data dir: it follows
   the same policy, so it must load nothing and request no run.

Exit code 0 when both hold. Not part of ``make test`` (minutes; starts servers).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parent
sys.path.insert(0, str(SCRIPTS))

import ui

from realpeople import simulator
from realpeople.settings import REPO_ROOT, load_settings


def _runs(settings) -> list[str]:
    """One line per run of the instance: what it ran, the partition, the status."""
    os.environ["DAGSTER_HOME"] = settings.dagster_home
    from dagster import DagsterInstance

    with DagsterInstance.get() as instance:
        lines = []
        for run in reversed(instance.get_runs()):
            what = run.job_name
            if run.asset_selection:
                what += " " + ",".join(sorted(k.to_user_string() for k in run.asset_selection))[:70]
            partition = run.tags.get("dagster/partition", "-")
            origin = run.tags.get("dagster/sensor_name", run.tags.get("dagster/schedule_name", ""))
            lines.append(f"  {run.status.value:<8} {partition:<10} {origin:<22} {what}")
        return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=2000)
    parser.add_argument("--days", type=int, default=6)
    parser.add_argument("--end-date", default="2026-11-15")
    parser.add_argument("--timeout", type=float, default=900)
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="realpeople-daemon-"))
    settings = load_settings(
        {"REALPEOPLE_LANDING_DIR": str(root / "landing"), "REALPEOPLE_DATA_DIR": str(root / "data")}
    )
    env = {**os.environ, **settings.subprocess_env(), "REALPEOPLE_PROGRESS": "0"}
    end = date.fromisoformat(args.end_date)
    servers = {}
    try:
        simulator.simulate(
            root / "landing",
            root / "truth.parquet",
            accounts=args.accounts,
            days=args.days,
            seed=5,
            end_date=end,
            csv_days=1,
            labels="rich",
        )
        subprocess.run(
            [sys.executable, "-m", "realpeople", "prepare"], cwd=REPO_ROOT, env=env, check=True
        )
        started = time.perf_counter()
        port = ui.dagster_port()
        servers["Dagster UI"] = ui.start(
            ui.server_commands(settings, port, ui.mlflow_port())["Dagster UI"],
            env,
            root / "dagster.log",
        )
        published = Path(settings.published_dir) / end.isoformat() / "enforcement_list.parquet"
        while not published.exists():
            if servers["Dagster UI"].poll() is not None:
                print(
                    f"dg dev exited ({servers['Dagster UI'].returncode}); log: {root / 'dagster.log'}"
                )
                return 1
            if time.perf_counter() - started > args.timeout:
                print(f"not published within {args.timeout:.0f} s; runs so far:")
                print("\n".join(_runs(settings)))
                return 1
            time.sleep(5)
        took = time.perf_counter() - started
        # The publication's last steps (the snapshot, the report) may still be running.
        time.sleep(20)
        ui.stop_servers(servers)
        servers = {}
        print(f"the daemon published {end} {took:.0f} s after `dg dev` started; its runs:")
        print("\n".join(_runs(settings)))
        after = subprocess.run(  # its exit code is judged below, with its output
            [sys.executable, "-m", "realpeople", "run"],
            check=False,
            cwd=REPO_ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        said = after.stdout + after.stderr
        print("\n`make run` on the same data dir:")
        print(
            "\n".join(
                f"  {line}"
                for line in said.splitlines()
                if "job" in line or "run date" in line or "to load" in line
            )
        )
        same = after.returncode == 0 and "0 to load" in said and "up to date" in said
        print("\nboth roads agree" if same else "\nmake run found work the daemon left: check")
        return 0 if same else 1
    finally:
        ui.stop_servers(servers)
        if args.keep:
            print(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
