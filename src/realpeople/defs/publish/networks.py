"""Coordinated networks: when coordinated accounts are actioned, compliance reports them
together, as platforms' coordinated-inauthentic-behaviour reports do (issue 18).

Grain: one row per network (``networks``) with at least one member actioned on the run
date, and one row per member (``network_members``; account ids stay in the warehouse,
the published ``networks.parquet`` carries pseudonyms).

A network is a connected component of coordination edges (``ml.coordination.clusters``).
The edges come from one place, :func:`network_edges`: today the pairs of accounts that
used the same device in the window (dbt ``int_account_pairs_device_shared``), and the
evidence text adds the members' lockstep shares (``account_features``). To build
networks from the co-activity graph of issue 16 instead, change only
:func:`network_edges` (and ``EDGE_BAR``) to read ``int_account_pairs_cotargeted`` (same
grain: ``account_a < account_b``, ``weight``) with its human-calibrated bar
(``ml.coordination.human_edge_bar``).
"""

from __future__ import annotations

import duckdb
import pandas as pd

from realpeople import vocabulary
from realpeople.ml.coordination import clusters
from realpeople.warehouse import sql_reader, transaction

sql = sql_reader(__file__)
EDGES_MODEL = "int_account_pairs_device_shared"
# An edge counts when the pair shares more than this many devices (any shared device).
EDGE_BAR = 0.0


def network_edges(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Coordination edges as of the last features build: ``account_a``, ``account_b``,
    ``weight``, ``first_shared_at``, ``last_shared_at``. Empty (no networks, and the run
    goes on) when the features were built without the edge model."""
    exists = con.execute("select count(*) from information_schema.tables where table_name = ?",
                         [EDGES_MODEL]).fetchone()[0]
    if not exists:
        return EMPTY_EDGES.copy()
    return con.execute(sql("network_edges.sql")).df()


# Typed, so DuckDB reads an empty frame with the right column types.
EMPTY_EDGES = pd.DataFrame({"account_a": pd.Series(dtype="string"), "account_b": pd.Series(dtype="string"),
                            "weight": pd.Series(dtype="float64"),
                            "first_shared_at": pd.Series(dtype="datetime64[us]"),
                            "last_shared_at": pd.Series(dtype="datetime64[us]")})


def record_networks(con: duckdb.DuckDBPyConnection, run_date: str,
                    edges: pd.DataFrame | None = None) -> int:
    """Replace the run date's networks (and their members); return how many."""
    edges = network_edges(con) if edges is None else edges
    cluster_of = clusters(edges, EDGE_BAR) if len(edges) else pd.Series(dtype="int64", name="cluster_id")
    members = cluster_of.rename("cluster_id").rename_axis("account_id").reset_index()
    members = members.astype({"account_id": "string", "cluster_id": "int64"})
    params = {"run_date": run_date, "terminate": vocabulary.TERMINATE,
              "warn_and_limit": vocabulary.WARN_AND_LIMIT}
    con.register("cluster_members", members)
    con.register("network_edges", edges)
    try:
        con.execute(sql("networks_summary.sql"), params)
        with transaction(con):
            con.execute(sql("delete_networks.sql"), {"run_date": run_date})
            con.execute(sql("delete_network_members.sql"), {"run_date": run_date})
            con.execute(sql("network_members_insert.sql"), {"run_date": run_date})
        (count,) = con.execute("select count(*) from network_rows").fetchone()
        con.execute("drop table network_rows")
    finally:
        con.unregister("cluster_members")
        con.unregister("network_edges")
    return int(count)


def networks_frame(con: duckdb.DuckDBPyConnection, run_date: str) -> pd.DataFrame:
    """The run date's networks with ``member_ids`` (account ids, actioned first)."""
    return con.execute(sql("networks_for_run_date.sql"), {"run_date": run_date}).df()
