"""Structural coordination features per feature snapshot (``account_cluster_features``).

Grain: one row per run date and account of that date's ``account_features`` snapshot.
Computed right after each date's dbt build (``assets.py``), because dbt's
``int_account_pairs_cotargeted`` holds the window of the *latest* build only: a
catch-up run that builds several snapshots gives each its clusters as of its own date
(point in time), which training needs (``model/sql/training_set.sql`` joins them on the
snapshot's date). The graph step is :func:`ml.coordination.structural_features`: it reads
edges, each account's own steadiness and the company its shared texts keep (dbt's
``int_accounts_text_company``), never a verdict, score or action.

When the view is not built (Spark engine, or dbt var ``coordination_graph: false``) no
rows are written and the model sees the features as missing: it degrades to the rest.
"""

from __future__ import annotations

import duckdb

from realpeople.warehouse import sql_reader, transaction

sql = sql_reader(__file__)
PAIRS = "int_account_pairs_cotargeted"
TEXT_COMPANY = "int_accounts_text_company"


def _has(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    found = con.execute(
        "select count(*) from information_schema.tables where table_name = ?", [name]
    ).fetchone()[0]
    return bool(found)


def write_cluster_features(
    con: duckdb.DuckDBPyConnection,
    run_date: str,
    feature_window_days: int,
    in_duckdb: bool = True,
) -> dict:
    """Replace ``run_date``'s rows of ``account_cluster_features`` from the current
    co-targeting view; returns what it did (for the run's log and metadata).
    ``feature_window_days``: the window's length (the setting of that name).
    ``in_duckdb``: the build ran in this warehouse (False on the Spark engine: a view left
    by an earlier DuckDB build would describe another window). Degrades, never fails the
    build: without the view, or if reading it fails, the date has no rows."""
    con.execute(sql("create_account_cluster_features.sql"))
    with transaction(con):
        con.execute(sql("delete_account_cluster_features.sql"), {"run_date": run_date})
    if not in_duckdb or not _has(con, PAIRS):
        return {"run_date": run_date, "accounts": 0, "note": f"{PAIRS} not built here"}
    try:
        return _write(con, run_date, feature_window_days)
    except (duckdb.Error, MemoryError) as error:
        return {"run_date": run_date, "accounts": 0, "note": f"not written: {error}"}


def _write(con: duckdb.DuckDBPyConnection, run_date: str, feature_window_days: int) -> dict:
    from realpeople.ml.coordination import structural_features  # scipy: only when used

    edges = con.execute(sql("cluster_feature_edges.sql")).df()
    accounts = con.execute(sql("cluster_feature_accounts.sql"), {"run_date": run_date}).df()
    window_days = (
        con.execute(
            sql("window_days.sql"),
            {"run_date": run_date, "window_days": feature_window_days},
        ).fetchone()[0]
        or 1
    )
    company = (
        con.execute(sql("text_company.sql"))
        .df()
        .set_index("account_id")["text_company_shared_share"]
        if _has(con, TEXT_COMPANY)
        else None
    )
    table = structural_features(
        edges, accounts.set_index("account_id")["steadiness"], window_days, company
    ).reset_index()
    with transaction(con):
        con.execute(sql("delete_account_cluster_features.sql"), {"run_date": run_date})
        if len(table):
            con.register("structural", table)
            con.execute(sql("insert_account_cluster_features.sql"), {"run_date": run_date})
            con.unregister("structural")
    return {
        "run_date": run_date,
        "edges": len(edges),
        "accounts": len(table),
        "ring_accounts": int(table["cluster_is_ring"].sum()) if len(table) else 0,
        "window_days": int(window_days),
    }
