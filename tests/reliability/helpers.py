"""Small helpers shared by the reliability tests: landed files, reconciliation, checksums."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from realpeople.contract import TABLES
from realpeople.defs.ingest.loader import sql

DAY = date(2026, 11, 1)

_ARROW = {
    "string": pa.string(),
    "timestamp": pa.timestamp("us", tz="UTC"),
    "integer": pa.int64(),
    "boolean": pa.bool_(),
}


def ts(hour: int, day: date = DAY) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def account(i: int, **over) -> dict:
    row = {
        "account_id": f"a{i}",
        "created_at": datetime(2025, 1, 1, tzinfo=UTC),
        "declared_country": "DE",
        "bio": "hello",
        "avatar_hash": "ab12",
        "signup_client": "web",
        "signup_ip_country": "DE",
        "follower_count": 10,
        "following_count": 5,
    }
    return {**row, **over}


def event(i: int, **over) -> dict:
    row = {
        "event_id": f"e{i}",
        "account_id": "a1",
        "event_ts": ts(1 + i % 20),
        "event_type": "post",
        "client": "app_ios",
        "text": f"post number {i}",
    }
    return {**row, **over}


def review(i: int, **over) -> dict:
    row = {
        "review_id": f"r{i}",
        "account_id": "a1",
        "reviewed_at": ts(3),
        "verdict": "human",
        "source": "random_sample",
    }
    return {**row, **over}


def appeal(i: int, **over) -> dict:
    row = {
        "appeal_id": f"p{i}",
        "account_id": "a1",
        "action": "terminate",
        "filed_at": ts(3),
        "outcome": "pending",
        "decided_at": None,
    }
    return {**row, **over}


ROW = {"accounts": account, "events": event, "reviews": review, "appeals": appeal}


def arrow_table(
    table: str, rows: list[dict], types: dict[str, pa.DataType] | None = None
) -> pa.Table:
    """Rows in the contract's columns and (unless overridden) types."""
    cols = TABLES[table].columns
    schema = pa.schema([(c.name, (types or {}).get(c.name, _ARROW[c.type])) for c in cols])
    return pa.Table.from_pylist(
        [{c.name: r.get(c.name) for c in cols} for r in rows], schema=schema
    )


def folder(landing: Path, table: str, day: date = DAY) -> Path:
    path = Path(landing) / table / f"dt={day.isoformat()}"
    path.mkdir(parents=True, exist_ok=True)
    return path


def write_parquet(
    landing: Path, table: str, name: str, rows: list[dict], day: date = DAY, types=None
) -> Path:
    path = folder(landing, table, day) / name
    pq.write_table(arrow_table(table, rows, types), path)
    return path


def write_csv(landing: Path, table: str, name: str, rows: list[dict], day: date = DAY) -> Path:
    path = folder(landing, table, day) / name
    arrow_table(table, rows).to_pandas().to_csv(path, index=False, date_format="%Y-%m-%dT%H:%M:%SZ")
    return path


def write_bytes(landing: Path, table: str, name: str, data: bytes, day: date = DAY) -> Path:
    path = folder(landing, table, day) / name
    path.write_bytes(data)
    return path


def reconcile(con: duckdb.DuckDBPyConnection, table: str, day: date = DAY) -> dict:
    """The ledger's counts and what the tables hold, for one table and delivery; asserts
    landed = loaded + quarantined (per file and in total) and that the tables hold exactly
    what the ledger says."""
    landed, loaded, quarantined, loaded_found, quarantined_found, unreconciled = con.execute(
        sql("reconcile_delivery.sql"), {"table_name": table, "delivery_date": day}
    ).fetchone()
    assert unreconciled == 0, (table, "files that do not reconcile", unreconciled)
    assert landed == loaded + quarantined, (table, landed, loaded, quarantined)
    assert loaded_found == loaded, (table, loaded_found, loaded)
    assert quarantined_found == quarantined, (table, quarantined_found, quarantined)
    return {"landed": landed, "loaded": loaded, "quarantined": quarantined}


def table_checksums(database: str | Path, tables: list[str], drop: tuple[str, ...] = ()) -> dict:
    """One order-independent checksum per table, without volatile columns (load times,
    file modification times),
    with file paths reduced to their names (so two landing zones compare equal) and
    doubles compared to 9 decimals."""
    out = {}
    with duckdb.connect(str(database), read_only=True) as con:
        for name in tables:
            columns = [r[0] for r in con.execute(f"describe {name}").fetchall()]
            kept = []
            for c in columns:
                # Volatile: when a row was loaded or scored, when a landed file was written.
                if c in drop or c in ("_loaded_at", "scored_at", "file_mtime_ns"):
                    continue
                kept.append(
                    f"regexp_replace(\"{c}\", '^.*/', '')"
                    if c in ("_source_file", "source_file")
                    else f'"{c}"'
                )
            rows = con.execute(f"select {', '.join(kept)} from {name}").fetchall()
            digest = hashlib.sha256()
            # Doubles to 9 decimals and 10 significant digits: DuckDB's parallel aggregation
            # may differ in the last bits between two runs over the same rows (seen on
            # text_length_cv), and a difference of near-equal sums can come out as +-1e-17
            # instead of 0. (+ 0.0 turns -0.0 into 0.0.)
            for line in sorted(
                repr(tuple(f"{round(v, 9) + 0.0:.10g}" if isinstance(v, float) else v for v in r))
                for r in rows
            ):
                digest.update(line.encode())
            out[name] = (len(rows), digest.hexdigest())
    return out
