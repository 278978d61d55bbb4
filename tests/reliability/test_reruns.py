"""Re-running a date, re-delivering a day and backfilling days out of order give the same
tables as a clean run: checksums of every raw table, staging view and the feature mart.

Loads go through ``load_delivery`` (what the ingest asset runs); features through
``dbt run`` in a subprocess, as the features asset does.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import date
from pathlib import Path

import duckdb
import pytest

from realpeople.contract import TABLES
from realpeople.defs.ingest.loader import discover_delivery_dates, load_delivery
from realpeople.resources import dbt_executable
from realpeople.settings import DBT_PROJECT_DIR
from tests.reliability.helpers import table_checksums

pytestmark = pytest.mark.slow

RAW = [f"raw.{t}" for t in TABLES] + ["raw.quarantine", "raw.deliveries"]
STAGING = [f"stg_activity__{t}" for t in TABLES]
MARTS = ["account_features"]
EVERYTHING = RAW + STAGING + MARTS


def dbt(tmp_path: Path, warehouse: Path, run_date: date, wait: bool = True):
    """`dbt run` for a run date on ``warehouse`` (its own target and log folders)."""
    env = {
        **os.environ,
        "REALPEOPLE_WAREHOUSE_PATH": str(warehouse),
        "REALPEOPLE_DUCKDB_TEMP_DIR": str(tmp_path / "duckdb_tmp"),
        "REALPEOPLE_DUCKDB_MEMORY_LIMIT": "1GB",
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
    }
    command = [
        dbt_executable(),
        "run",
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(tmp_path / "target"),
        "--log-path",
        str(tmp_path / "logs"),
        "--vars",
        json.dumps({"run_date": run_date.isoformat()}),
    ]
    if not wait:
        return subprocess.Popen(
            command,
            env=env,
            cwd=DBT_PROJECT_DIR,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    return subprocess.run(
        command, env=env, cwd=DBT_PROJECT_DIR, capture_output=True, text=True, check=False
    )


def load_days(warehouse: Path, landing: Path, days, tables=tuple(TABLES)) -> None:
    found = discover_delivery_dates(landing)
    with duckdb.connect(str(warehouse)) as con:
        for day in days:
            for table in tables:
                if day in found[table]:
                    load_delivery(con, landing, table, day)


@pytest.fixture(scope="module")
def clean(small_world, tmp_path_factory):
    """All days loaded in order, features built for the last one: the reference."""
    tmp = tmp_path_factory.mktemp("clean")
    warehouse = tmp / "warehouse.duckdb"
    load_days(warehouse, small_world["landing"], small_world["days"])
    built = dbt(tmp, warehouse, small_world["days"][-1])
    assert built.returncode == 0, built.stdout[-3000:]
    return {"dir": tmp, "warehouse": warehouse, "sums": table_checksums(warehouse, EVERYTHING)}


def test_the_reference_is_not_empty(clean):
    assert all(n > 0 for name, (n, _) in clean["sums"].items() if name != "raw.quarantine")


def test_rerunning_a_date_changes_nothing(clean, small_world):
    load_days(clean["warehouse"], small_world["landing"], small_world["days"][-1:])
    assert dbt(clean["dir"], clean["warehouse"], small_world["days"][-1]).returncode == 0
    assert table_checksums(clean["warehouse"], EVERYTHING) == clean["sums"]


def test_redelivering_a_day_gives_the_same_tables(clean, small_world, tmp_path):
    """The exporter sends a day again: the same files, re-written. Raw replaces the
    delivery; nothing is doubled anywhere."""
    landing = tmp_path / "landing"
    shutil.copytree(small_world["landing"], landing)
    warehouse = tmp_path / "warehouse.duckdb"
    days = small_world["days"]
    load_days(warehouse, landing, days)
    day = days[1]
    for table in TABLES:  # re-sent: rewritten in place, byte-identical content
        for path in (landing / table / f"dt={day}").iterdir():
            path.write_bytes(path.read_bytes())
    load_days(warehouse, landing, [day])
    assert dbt(tmp_path, warehouse, days[-1]).returncode == 0
    assert table_checksums(warehouse, EVERYTHING) == clean["sums"]


def test_a_day_resent_inside_a_later_delivery_does_not_double_events(clean, small_world, tmp_path):
    """An export loop: day 2's events arrive again as an extra file of day 3. Raw keeps
    both copies (each delivery is loaded on its own), staging keeps the first arrival, so
    staging and the features equal the clean run's."""
    landing = tmp_path / "landing"
    shutil.copytree(small_world["landing"], landing)
    days = small_world["days"]
    [resent] = list((landing / "events" / f"dt={days[1]}").iterdir())
    shutil.copy(resent, landing / "events" / f"dt={days[2]}" / f"zz-resent{resent.suffix}")
    warehouse = tmp_path / "warehouse.duckdb"
    load_days(warehouse, landing, days)
    assert dbt(tmp_path, warehouse, days[-1]).returncode == 0
    sums = table_checksums(warehouse, EVERYTHING)
    for name in ["stg_activity__events", *MARTS]:
        assert sums[name] == clean["sums"][name], name
    with duckdb.connect(str(warehouse), read_only=True) as con:
        repeated = con.execute(
            "select count(*) - count(distinct event_id) from raw.events"
        ).fetchone()[0]
    assert repeated > 0


def test_backfilling_days_out_of_order_gives_the_same_tables(clean, small_world, tmp_path):
    days = small_world["days"]
    order = [days[-1], days[0], days[2], days[1]] + days[3:-1]
    warehouse = tmp_path / "warehouse.duckdb"
    load_days(warehouse, small_world["landing"], order)
    assert dbt(tmp_path, warehouse, days[-1]).returncode == 0
    assert table_checksums(warehouse, EVERYTHING) == clean["sums"]
