"""On the Spark engine, the features Python reads: the Spark mart's run date, in DuckDB.

Grain: one row per (run_date, account_id), as ``account_features``. dbt on Spark writes
the mart as Parquet partitioned by run_date; training, scoring and publishing read
``account_features`` from the DuckDB warehouse (SQL files under ``realpeople.defs.model``),
so the run date's partition is copied there by column name, replacing that date (the same
delete+insert the DuckDB mart does). One row per account is small next to the events it
summarises; a platform too large for that scores on Spark instead (docs/scaling.md).
"""

from __future__ import annotations

from pathlib import Path

import duckdb

from realpeople.warehouse import sql_reader, transaction

sql = sql_reader(__file__)


def serve_spark_mart(con: duckdb.DuckDBPyConnection, mart_dir: Path, run_date: str) -> int:
    """Replace ``run_date``'s rows of DuckDB's ``account_features`` with the Spark mart's
    partition under ``mart_dir`` (``<table dir>/run_date=YYYY-MM-DD/*.parquet``); returns
    the rows copied."""
    partition = Path(mart_dir) / f"run_date={run_date}"
    if not any(partition.glob("*.parquet")):
        raise FileNotFoundError(f"the Spark mart has no partition for {run_date} under {mart_dir}")
    params = {"run_date": run_date, "files": str(partition / "*.parquet")}
    con.execute(sql("create_account_features_like.sql"), params)
    with transaction(con):
        con.execute(sql("delete_account_features.sql"), {"run_date": run_date})
        rows = con.execute(sql("insert_account_features_from_spark.sql"), params).fetchone()[0]
    return rows
