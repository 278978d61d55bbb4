"""Faults: a process killed (SIGKILL) in the middle of ingestion, dbt or publishing leaves
the warehouse and the published folder as they were, and the next run completes; two
warehouse-writing runs at once are serialised by the `duckdb_writer` pool of the shipped
instance dagster.yaml.

Each kill happens in a real subprocess, at a chosen point: a small driver script patches
one function so that the process kills itself there (ingestion, publishing), or the test
kills dbt's process group once dbt's log says it started the incremental mart.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import date
from pathlib import Path

import duckdb
import pytest

from realpeople.defs.ingest.loader import load_delivery
from tests.reliability.helpers import DAY, event, reconcile, table_checksums, write_parquet

REPO = Path(__file__).resolve().parents[2]
RAW = [
    "raw.accounts",
    "raw.events",
    "raw.reviews",
    "raw.appeals",
    "raw.quarantine",
    "raw.deliveries",
]


def clean_env(extra: dict | None = None) -> dict:
    """This process's environment without RealPeople's, Dagster's and MLflow's variables
    (the dbt asset exports them into the process that ran it), plus ``extra``."""
    inherited = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("REALPEOPLE_", "DAGSTER_", "MLFLOW_"))
    }
    return {**inherited, **(extra or {})}


def run_driver(
    code: str, *args: str, env: dict | None = None, timeout: int = 300
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=clean_env(env),
        check=False,
    )


# --------------------------------------------------------------------- ingestion

KILL_MID_INGEST = """
    import os, signal, sys
    from datetime import date
    from pathlib import Path
    import duckdb
    from realpeople.defs.ingest import loader

    original = loader._load_file
    def load_then_die(*args, **kwargs):
        result = original(*args, **kwargs)   # the first file is written, inside the transaction
        os.kill(os.getpid(), signal.SIGKILL)
    loader._load_file = load_then_die
    con = duckdb.connect(sys.argv[1])
    loader.load_delivery(con, Path(sys.argv[2]), "events", date.fromisoformat(sys.argv[3]))
"""


def test_a_load_killed_mid_delivery_leaves_the_warehouse_as_it_was(tmp_path):
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse.duckdb"
    write_parquet(landing, "events", "part-0.parquet", [event(i) for i in range(3)])
    with duckdb.connect(str(warehouse)) as con:
        load_delivery(con, landing, "events", DAY)
    before = table_checksums(warehouse, RAW)
    # The day is re-sent with more rows and a second file; the reload is killed after
    # its first file was written inside the transaction.
    write_parquet(landing, "events", "part-0.parquet", [event(i) for i in range(5)])
    write_parquet(landing, "events", "part-1.parquet", [event(9, client="fax")])
    killed = run_driver(KILL_MID_INGEST, str(warehouse), str(landing), DAY.isoformat())
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert table_checksums(warehouse, RAW) == before
    # The next run completes and counts reconcile.
    with duckdb.connect(str(warehouse)) as con:
        load_delivery(con, landing, "events", DAY)
        assert reconcile(con, "events") == {"landed": 6, "loaded": 5, "quarantined": 1}


# --------------------------------------------------------------------- publishing

PUBLISH = """
    import os, signal, sys
    from pathlib import Path
    import pandas as pd
    from realpeople.defs.publish import files

    mode, folder, version = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
    enforcement = pd.DataFrame({"account_id": ["a1", "a2"], "action": ["terminate", "warn_and_limit"],
                                "score_ai_managed": [0.99, 0.3], "score_ai_assisted": [0.01, 0.9],
                                "reasons": ["posts every 600 s", "AI label on 90% of posts"],
                                "model_version": [version, version], "run_date": ["2026-11-15"] * 2})
    metrics = pd.DataFrame({"run_date": ["2026-11-15"], "metric": ["accounts_actioned_total"],
                            "value": [2.0], "description": ["accounts actioned"]})
    die = lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL)
    if mode == "kill-while-writing":
        files.render_report = die          # the Parquet and CSV files are written by then
    elif mode == "kill-before-swap":
        # the new version is complete on disk; the link is about to be swapped
        files.os.replace = die
    queue = enforcement.iloc[:0].rename(columns={"action": "queue_reason"})
    labelling = pd.DataFrame({"day": [], "marker_posts": [], "marker_posts_labelled_share": []})
    files.write_snapshot(folder, "2026-11-15", enforcement, queue, metrics,
                         metrics[["run_date", "metric", "value"]], labelling)
"""


def published(folder: Path) -> dict[str, bytes]:
    day = folder / "2026-11-15"
    return {p.name: p.read_bytes() for p in sorted(day.iterdir())} if day.is_dir() else {}


def _publish(mode: str, folder: Path, version: str) -> subprocess.CompletedProcess:
    return run_driver(PUBLISH, mode, str(folder), version)


def test_publishing_killed_while_writing_leaves_the_published_folder_as_it_was(tmp_path):
    folder = tmp_path / "published"
    assert _publish("ok", folder, "1").returncode == 0
    before = published(folder)
    killed = _publish("kill-while-writing", folder, "2")
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert published(folder) == before
    assert _publish("ok", folder, "2").returncode == 0
    after = published(folder)
    assert after != before and b",2," in after["enforcement_list.csv"]


def test_publishing_killed_just_before_the_swap_leaves_the_snapshot_in_place(tmp_path):
    folder = tmp_path / "published"
    assert _publish("ok", folder, "1").returncode == 0
    before = published(folder)
    assert _publish("kill-before-swap", folder, "2").returncode == -signal.SIGKILL
    assert published(folder) == before
    # The next write succeeds and clears what the killed one left behind.
    assert _publish("ok", folder, "2").returncode == 0
    assert b",2," in published(folder)["enforcement_list.csv"]
    assert len(list((folder / ".versions").iterdir())) == 1


# --------------------------------------------------------------------- dbt


@pytest.mark.slow
def test_dbt_killed_while_building_the_mart_leaves_it_as_it_was(small_world, tmp_path):
    """Features for a run date are built; a new day arrives; the build of that day is
    killed (dbt's whole process group) once dbt has started the incremental
    account_features; the mart is as before, and the next build completes."""
    from tests.reliability.test_reruns import MARTS, dbt, load_days

    warehouse = tmp_path / "warehouse.duckdb"
    days = small_world["days"]
    load_days(warehouse, small_world["landing"], days[:-1])
    assert dbt(tmp_path, warehouse, days[-2]).returncode == 0
    before = table_checksums(warehouse, MARTS)
    load_days(warehouse, small_world["landing"], days[-1:])
    raw_before = table_checksums(warehouse, RAW)

    log = tmp_path / "logs" / "dbt.log"
    log.unlink(missing_ok=True)
    process = dbt(tmp_path, warehouse, days[-1], wait=False)
    deadline = time.time() + 240
    while time.time() < deadline and process.poll() is None:
        if log.exists() and "model main.account_features" in log.read_text(errors="replace"):
            break
        time.sleep(0.02)
    assert process.poll() is None, "dbt finished before it could be killed"
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert table_checksums(warehouse, MARTS) == before
    assert table_checksums(warehouse, RAW) == raw_before

    assert dbt(tmp_path, warehouse, days[-1]).returncode == 0
    with duckdb.connect(str(warehouse), read_only=True) as con:
        per_date = dict(
            con.execute("select run_date, count(*) from account_features group by 1").fetchall()
        )
        accounts = con.execute("select count(distinct account_id) from raw.accounts").fetchone()[0]
    assert set(per_date) == {days[-2], days[-1]} and per_date[days[-1]] == accounts


# --------------------------------------------------------------------- concurrency

CONCURRENT_INGEST = """
    import sys, time
    from realpeople.settings import load_settings
    from realpeople.cli import prepare_instance, _execute
    from realpeople.defs.ingest import loader

    original = loader.load_delivery
    instance = None

    def other_run_waits():
        for run in instance.get_runs():
            for record in instance.all_logs(run.run_id):
                event = record.dagster_event
                if event is not None and "blocked by limit for pool duckdb_writer" in (
                    event.message or ""
                ):
                    return True
        return False

    def slow_load(*args, **kwargs):
        # Hold the warehouse until the other run is seen waiting for the pool: a fixed
        # sleep let a run that started late (its imports under load) miss the first.
        started = time.time()
        result = original(*args, **kwargs)
        deadline = time.time() + 120
        while not other_run_waits() and time.time() < deadline:
            time.sleep(0.2)
        with open(sys.argv[2], "a") as windows:   # when this run really held the warehouse
            windows.write(f"{started} {time.time()}\\n")
        return result
    loader.load_delivery = slow_load
    import realpeople.defs.ingest.assets as assets
    assets.load_delivery = slow_load
    settings = load_settings()
    instance = prepare_instance(settings)     # the project's shipped dagster.yaml
    from realpeople.definitions import build_definitions
    from realpeople.defs.ingest.assets import RAW_KEYS
    result, _ = _execute(build_definitions(settings), "ingest_job", instance, sys.argv[1],
                         asset_selection=[RAW_KEYS["events"]])
    print("RUN_ID", result.run_id)
"""


@pytest.mark.slow
def test_two_warehouse_writing_runs_are_serialised_by_the_pool(tmp_path):
    landing, data = tmp_path / "landing", tmp_path / "data"
    days = [date(2026, 11, 1), date(2026, 11, 2)]
    for day in days:
        for part in range(2):
            write_parquet(
                landing,
                "events",
                f"part-{part}.parquet",
                [event(100 * part + i) for i in range(3)],
                day=day,
            )
    env = {
        "REALPEOPLE_LANDING_DIR": str(landing),
        "REALPEOPLE_DATA_DIR": str(data),
        "DAGSTER_HOME": str(data / "dagster_home"),
        "REALPEOPLE_FIRST_DELIVERY_DATE": "2026-10-01",
    }
    # The instance exists before the runs, as it does after the first `make run` (two
    # processes creating a fresh instance's SQLite schema at once race each other).
    made = run_driver(
        """
        from realpeople.cli import prepare_instance
        from realpeople.settings import load_settings
        prepare_instance(load_settings()).get_runs(limit=1)
    """,
        env=env,
    )
    assert made.returncode == 0, made.stderr[-3000:]
    held = [tmp_path / f"held-{d.isoformat()}.txt" for d in days]
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(CONCURRENT_INGEST), d.isoformat(), str(h)],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=clean_env(env),
        )
        for d, h in zip(days, held)
    ]
    outputs = [r.communicate(timeout=300) for r in runs]
    for run, (out, err) in zip(runs, outputs):
        assert run.returncode == 0, err[-3000:]
    run_ids = [
        next(line.split()[1] for line in out.splitlines() if line.startswith("RUN_ID"))
        for out, _ in outputs
    ]

    from dagster import DagsterInstance

    with DagsterInstance.from_config(str(data / "dagster_home")) as instance:
        assert instance.event_log_storage.get_pool_config().default_pool_limit == 1
        blocked = []
        for run_id in run_ids:
            for record in instance.all_logs(run_id):
                ev = record.dagster_event
                if ev is None or ev.step_key is None:
                    continue
                if "blocked by limit for pool duckdb_writer" in (ev.message or ""):
                    blocked.append((run_id, ev.step_key))
    # One run waited for the pool, as Dagster says in the run's log ...
    assert blocked, "no step waited for the duckdb_writer pool: the runs did not collide"
    # ... and the two runs never held the warehouse at the same time. (STEP_START is
    # logged before a step waits for its pool slot, so the loads' own clocks are used.)
    (a_start, a_end), (b_start, b_end) = [tuple(map(float, h.read_text().split())) for h in held]
    assert a_end <= b_start or b_end <= a_start, (
        f"overlap: {(a_start, a_end)} and {(b_start, b_end)}"
    )
    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
        for day in days:
            assert reconcile(con, "events", day) == {"landed": 6, "loaded": 6, "quarantined": 0}
