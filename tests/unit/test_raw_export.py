"""The raw Parquet export Spark reads, and the copy of Spark's mart back into DuckDB.

Both replace one partition whole: a re-loaded delivery replaces its folder, a rebuilt run
date replaces its rows, and nothing else moves.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from realpeople.defs.features.serve import serve_spark_mart
from realpeople.defs.ingest.export import export_delivery, export_raw, partition_dir
from realpeople.defs.ingest.loader import sql as ingest_sql

DAY1, DAY2 = date(2026, 11, 1), date(2026, 11, 2)


@pytest.fixture
def con():
    con = duckdb.connect()
    con.execute(ingest_sql("create_raw_tables.sql"))
    yield con
    con.close()


def _insert_reviews(con, day: date, ids: list[str]) -> None:
    con.executemany(
        "insert into raw.reviews values (?, 'a1', timestamp '2026-11-01 03:00:00', 'human', "
        "'random_sample', ?, 'reviews/x.parquet', ?, timestamp '2026-11-03 00:00:00')",
        [(review_id, day, row) for row, review_id in enumerate(ids)],
    )


def _dataset(root: Path, table: str) -> list[tuple]:
    """What an engine reading the hive-partitioned dataset sees."""
    return duckdb.sql(
        "select _delivery_date, review_id from read_parquet($glob, hive_partitioning = true) "
        "order by all",
        params={"glob": str(root / table / "*" / "*.parquet")},
    ).fetchall()


def test_every_delivery_becomes_a_partition_without_the_date_column(con, tmp_path):
    _insert_reviews(con, DAY1, ["r1", "r2"])
    _insert_reviews(con, DAY2, ["r3"])
    assert export_raw(con, tmp_path, ("reviews",)) == 2
    assert _dataset(tmp_path, "reviews") == [(DAY1, "r1"), (DAY1, "r2"), (DAY2, "r3")]
    columns = pq.read_schema(partition_dir(tmp_path, "reviews", DAY1) / "part-0.parquet").names
    assert "_delivery_date" not in columns and "_file_row" in columns


def test_re_exporting_a_delivery_replaces_only_its_partition(con, tmp_path):
    _insert_reviews(con, DAY1, ["r1", "r2"])
    _insert_reviews(con, DAY2, ["r3"])
    export_raw(con, tmp_path, ("reviews",))
    # The delivery of DAY1 is re-sent with one row: the reload replaced raw's rows.
    con.execute("delete from raw.reviews where _delivery_date = ?", [DAY1])
    _insert_reviews(con, DAY1, ["r9"])
    export_delivery(con, tmp_path, "reviews", DAY1)
    assert _dataset(tmp_path, "reviews") == [(DAY1, "r9"), (DAY2, "r3")]
    # No staging or old folders are left behind for a reader to trip on.
    assert sorted(p.name for p in (tmp_path / "reviews").iterdir()) == [
        "_delivery_date=2026-11-01",
        "_delivery_date=2026-11-02",
    ]


def _spark_partition(mart: Path, run_date: str, rows: list[dict]) -> None:
    folder = mart / f"run_date={run_date}"
    folder.mkdir(parents=True)
    pq.write_table(pa.Table.from_pylist(rows), folder / "part-00000.parquet")


def test_serving_the_spark_mart_replaces_that_run_date_only(tmp_path):
    mart = tmp_path / "account_features"
    _spark_partition(mart, "2026-11-01", [{"account_id": "a", "active_days": 1}])
    _spark_partition(
        mart,
        "2026-11-02",
        [{"account_id": "a", "active_days": 2}, {"account_id": "b", "active_days": 5}],
    )
    with duckdb.connect() as con:
        assert serve_spark_mart(con, mart, "2026-11-01") == 1
        assert serve_spark_mart(con, mart, "2026-11-02") == 2
        assert serve_spark_mart(con, mart, "2026-11-02") == 2  # a re-run replaces, not appends
        rows = con.sql("select * from main.account_features order by all").fetchall()
        columns = con.sql("select * from main.account_features").columns
    assert columns == ["run_date", "account_id", "active_days"]
    assert rows == [
        (date(2026, 11, 1), "a", 1),
        (date(2026, 11, 2), "a", 2),
        (date(2026, 11, 2), "b", 5),
    ]


def test_serving_a_run_date_spark_did_not_build_fails(tmp_path):
    with duckdb.connect() as con, pytest.raises(FileNotFoundError, match="2026-11-03"):
        serve_spark_mart(con, tmp_path / "account_features", "2026-11-03")
