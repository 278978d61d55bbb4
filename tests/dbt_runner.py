"""dbt in this process (dbtRunner) on a DuckDB warehouse, and the mart it builds, for tests."""

from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb
import pytest

DBT_PROJECT_DIR = Path(__file__).resolve().parents[1] / "dbt_project"


def close_dbt_duckdb() -> None:
    """dbt-duckdb keeps its DuckDB instance open in-process after a run; close it so this
    process can open the file with its own settings."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    env = DuckDBConnectionManager._ENV
    DuckDBConnectionManager.close_all_connections()
    if env is not None:
        env.close()


def invoke_dbt(
    args: list[str], target: Path, warehouse: Path, run_date: str, dbt_vars: dict
) -> None:
    """``dbt <args>`` on ``warehouse`` as of ``run_date`` (passed as the pipeline passes it:
    in the environment, with the settings' vars); it must succeed."""
    result = run_dbt(args, target, warehouse, run_date, dbt_vars)
    assert result.success, f"dbt {args} failed for {run_date}: {result.exception or result.result}"


def run_dbt(args: list[str], target: Path, warehouse: Path, run_date: str, dbt_vars: dict):
    """As :func:`invoke_dbt`, and return dbt's result (``dbtRunnerResult``) whatever it is."""
    from dbt.cli.main import dbtRunner

    env = {
        "REALPEOPLE_WAREHOUSE_PATH": str(warehouse),
        "REALPEOPLE_DUCKDB_TEMP_DIR": str(target / "duckdb_tmp"),
        "REALPEOPLE_DUCKDB_MEMORY_LIMIT": "1GB",
        "REALPEOPLE_RUN_DATE": run_date,
    }
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        result = dbtRunner().invoke(
            [
                *args,
                "--project-dir",
                str(DBT_PROJECT_DIR),
                "--profiles-dir",
                str(DBT_PROJECT_DIR),
                "--target-path",
                str(target),
                "--log-path",
                str(target / "logs"),
                "--vars",
                json.dumps(dbt_vars),
            ]
        )
    finally:
        close_dbt_duckdb()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    return result


def features(path: Path, run_date: str | None = None) -> dict[tuple, dict]:
    """``account_features`` rows by (run_date, account_id)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        where = "" if run_date is None else f"where run_date = '{run_date}'"
        rel = con.sql(f"select * from main.account_features {where} order by run_date, account_id")
        rows = [dict(zip(rel.columns, r)) for r in rel.fetchall()]
    finally:
        con.close()
    return {(str(r["run_date"]), r["account_id"]): r for r in rows}


def assert_same_rows(actual: dict, expected: dict) -> None:
    """Same keys and values; floats up to rounding (parallel aggregation sums in any order)."""
    assert sorted(actual) == sorted(expected)
    for key, row in expected.items():
        assert actual[key].keys() == row.keys(), key
        for column, value in row.items():
            if isinstance(value, float):
                assert actual[key][column] == pytest.approx(value, rel=1e-9, abs=1e-12), (
                    key,
                    column,
                )
            else:
                assert actual[key][column] == value, (key, column)
