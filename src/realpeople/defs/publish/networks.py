"""Coordinated networks: when coordinated accounts are actioned, compliance reports them
together, as platforms' coordinated-inauthentic-behaviour reports do (issue 18).

Grain: one row per network (``networks``) with at least one member actioned on the run
date, and one row per member (``network_members``; account ids stay in the warehouse,
the published ``networks.parquet`` carries pseudonyms).

A network is a connected component of coordination edges (``ml.coordination.clusters``).
The edges come from one place, :func:`network_edges` (``sql/network_edges.sql``): pairs
of accounts that used the same device in the window (dbt
``int_account_pairs_device_shared``), and the co-targeting clusters of the model stage
(``coordination_clusters``: accounts that engaged the same targets at the same time more
often than any two reviewed people, already held to that human-calibrated bar). The
evidence text counts both kinds and adds the members' lockstep shares.
"""

from __future__ import annotations

import duckdb
import pandas as pd

from realpeople import vocabulary
from realpeople.ml.coordination import clusters
from realpeople.warehouse import sql_reader, transaction

sql = sql_reader(__file__)
DEVICE_EDGES = "int_account_pairs_device_shared"
COTARGET_CLUSTERS = "coordination_clusters"
# Any edge counts: a shared device, or membership of a co-targeting cluster (that one is
# already above the bar no two reviewed people reach).
EDGE_BAR = 0.0


def network_edges(con: duckdb.DuckDBPyConnection, run_date: str) -> pd.DataFrame:
    """Coordination edges for ``run_date``: ``account_a``, ``account_b``, ``weight``,
    ``first_shared_at``, ``last_shared_at``, ``kind`` (``device``: ``sql/network_edges_devices.sql``;
    ``cotarget``: ``sql/network_edges_cotargets.sql``). A source the run did not build is
    left out; with neither, no networks (and the run goes on)."""
    parts = []
    for table, query, params in (
        (DEVICE_EDGES, "network_edges_devices.sql", {}),
        (COTARGET_CLUSTERS, "network_edges_cotargets.sql", {"run_date": run_date}),
    ):
        if con.execute(
            "select count(*) from information_schema.tables where table_name = ?", [table]
        ).fetchone()[0]:
            parts.append(con.execute(sql(query), params).df())
    parts = [p for p in parts if len(p)]
    if not parts:
        return EMPTY_EDGES.copy()
    return pd.concat(parts, ignore_index=True).astype(EMPTY_EDGES.dtypes.to_dict())


# Typed, so DuckDB reads an empty frame with the right column types.
EMPTY_EDGES = pd.DataFrame(
    {
        "account_a": pd.Series(dtype="string"),
        "account_b": pd.Series(dtype="string"),
        "weight": pd.Series(dtype="float64"),
        "first_shared_at": pd.Series(dtype="datetime64[us]"),
        "last_shared_at": pd.Series(dtype="datetime64[us]"),
        "kind": pd.Series(dtype="string"),
    }
)


def record_networks(
    con: duckdb.DuckDBPyConnection, run_date: str, edges: pd.DataFrame | None = None
) -> int:
    """Replace the run date's networks (and their members); return how many."""
    edges = network_edges(con, run_date) if edges is None else edges
    cluster_of = (
        clusters(edges, EDGE_BAR) if len(edges) else pd.Series(dtype="int64", name="cluster_id")
    )
    members = cluster_of.rename("cluster_id").rename_axis("account_id").reset_index()
    members = members.astype({"account_id": "string", "cluster_id": "int64"})
    params = {
        "run_date": run_date,
        "terminate": vocabulary.TERMINATE,
        "warn_and_limit": vocabulary.WARN_AND_LIMIT,
    }
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
