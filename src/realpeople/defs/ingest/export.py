"""The raw layer as a Parquet dataset, for engines that read files (Spark).

Grain: one Parquet file per (table, delivery date), at
``<raw_parquet_dir>/<table>/_delivery_date=YYYY-MM-DD/part-0.parquet`` (hive-style
partitions, which Spark and DuckDB both read). DuckDB's ``raw.*`` tables stay the one
place ingestion writes and validates; this is a copy of a delivery, replaced whole each
time that delivery is (re)loaded, so the dataset always equals ``raw.*``.
"""

from __future__ import annotations

import shutil
import uuid
from datetime import date
from pathlib import Path

import duckdb

from realpeople.warehouse import sql_reader

sql = sql_reader(__file__)


def partition_dir(root: Path, table: str, day: date) -> Path:
    return Path(root) / table / f"_delivery_date={day.isoformat()}"


def export_delivery(con: duckdb.DuckDBPyConnection, root: Path, table: str, day: date) -> Path:
    """Write ``raw.<table>``'s rows of delivery ``day`` to its partition folder, replacing it.

    Written beside the partition in a dot-folder (both engines skip hidden folders), then
    swapped in by renames: a reader sees the old delivery or the new one, never half of it.
    A delivery whose rows were all quarantined gets an empty file (the schema, no rows).
    """
    target = partition_dir(root, table, day)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.parent / f".{target.name}.{uuid.uuid4().hex}"
    staging.mkdir()
    try:
        con.execute(
            sql("export_delivery.sql"),
            {
                "table_name": f"raw.{table}",
                "delivery_date": day,
                "path": str(staging / "part-0.parquet"),
            },
        )
        old = target.parent / f".{target.name}.old.{uuid.uuid4().hex}"
        if target.exists():
            target.rename(old)
        staging.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


def export_raw(con: duckdb.DuckDBPyConnection, root: Path, tables: tuple[str, ...]) -> int:
    """Every delivery of ``tables`` (a bulk export: tests, benchmarks, a first switch to
    Spark on an existing warehouse). Returns the number of partitions written."""
    written = 0
    for table in tables:
        for (day,) in con.execute(
            sql("delivery_dates.sql"), {"table_name": f"raw.{table}"}
        ).fetchall():
            export_delivery(con, root, table, day)
            written += 1
    return written
