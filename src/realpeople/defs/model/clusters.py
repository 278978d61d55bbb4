"""Coordination clusters: accounts that act together, and evidence propagated to them;
and the review requests that use them.

Thin wrapper around :func:`ml.coordination.cluster_table`. Grain of
``coordination_clusters``: one row per run date, account and cluster (see
``sql/create_coordination_clusters.sql`` for the columns). Edges come from dbt's
``int_account_pairs_cotargeted`` (same targets engaged at the same time); the edge bar is
the heaviest coincidence a reviewed person has with any account (``ml.coordination.
human_edge_bar``); a small, steady cluster whose other
members are mostly actioned ties its unactioned members to them (``tied_to_actioned``).
Nothing is actioned on a tie alone: it is evidence for moderators and for issue 18's
published networks.
"""

import time

import pandas as pd
from dagster import (
    AssetExecutionContext,
    AssetKey,
    MaterializeResult,
    MetadataValue,
    ResourceParam,
    asset,
)
from dagster_duckdb import DuckDBResource

from realpeople.partitions import DUCKDB_WRITER_POOL, delivery_date_partitions
from realpeople.settings import Settings
from realpeople.warehouse import sql_reader, transaction

sql = sql_reader(__file__)
PAIRS = "int_account_pairs_cotargeted"


@asset(
    key=AssetKey("coordination_clusters"),
    deps=[
        AssetKey(PAIRS),
        AssetKey("account_scores"),
        AssetKey("account_features"),
        AssetKey("stg_activity__reviews"),
    ],
    partitions_def=delivery_date_partitions,
    group_name="model",
    kinds={"duckdb", "scipy"},
    owners=["team:ml"],
    pool=DUCKDB_WRITER_POOL,
    code_version="2",
    description=(
        "One row per run date, account and coordination cluster: accounts that engaged the "
        "same targets at the same time more often than any reviewed person did with anyone, with the "
        "evidence in words, first/last activity, the share of other members confirmed or "
        "terminated, and `tied_to_actioned` for ring members not actioned themselves. "
        "Empty (with a note) when the co-activity graph is not built (Spark engine, or "
        "dbt var coordination_graph false)."
    ),
)
def coordination_clusters(
    context: AssetExecutionContext, settings: ResourceParam[Settings], warehouse: DuckDBResource
) -> MaterializeResult:
    from realpeople.ml.coordination import cluster_table

    run_date = context.partition_key
    started = time.perf_counter()
    with warehouse.get_connection() as con:
        con.execute(sql("create_coordination_clusters.sql"))
        has_graph = con.execute(
            "select count(*) from information_schema.tables where table_name = ?", [PAIRS]
        ).fetchone()[0]
        if has_graph:
            edges = con.execute(sql("coordination_edges.sql")).df()
            verdicts = con.execute(sql("latest_verdicts.sql"), {"run_date": run_date}).df()
            accounts = con.execute(sql("coordination_accounts.sql"), {"run_date": run_date}).df()
        else:
            edges = pd.DataFrame()
    if not has_graph:
        note = f"no co-activity graph ({PAIRS} not built here): no clusters for {run_date}"
        context.log.warning(note)
        table = None
    else:
        accounts = accounts.set_index("account_id")
        table = cluster_table(
            edges,
            verdicts.set_index("account_id")["verdict"],
            accounts["terminated"],
            accounts["steadiness"],
            accounts[["first_activity", "last_activity"]],
            label_noise=settings.label_noise,
        )
        note = f"{table['cluster_id'].nunique()} clusters of {len(table)} accounts"
    with warehouse.get_connection() as con, transaction(con):
        con.execute(sql("delete_coordination_clusters.sql"), {"run_date": run_date})
        if table is not None and len(table):
            con.register("clustered", table)
            con.execute(sql("insert_coordination_clusters.sql"), {"run_date": run_date})
            con.unregister("clustered")
    table = (
        table
        if table is not None
        else pd.DataFrame(columns=["cluster_id", "is_ring", "tied_to_actioned"])
    )
    rings = table[table["is_ring"].astype(bool)] if len(table) else table
    return MaterializeResult(
        metadata={
            "run_date": run_date,
            "dagster/row_count": len(table),
            "edges": len(edges),
            "clusters": int(table["cluster_id"].nunique()) if len(table) else 0,
            "ring_accounts": len(rings),
            "tied_to_actioned": int(table["tied_to_actioned"].astype(bool).sum())
            if len(table)
            else 0,
            "seconds": round(time.perf_counter() - started, 1),
            "note": note,
            "preview": MetadataValue.md(
                rings.head(10).to_markdown(index=False) if len(rings) else "no rings"
            ),
        }
    )


@asset(
    key=AssetKey("review_requests"),
    deps=[
        AssetKey("account_scores"),
        AssetKey("coordination_clusters"),
        AssetKey("stg_activity__reviews"),
    ],
    partitions_def=delivery_date_partitions,
    group_name="model",
    kinds={"duckdb"},
    owners=["team:ml"],
    pool=DUCKDB_WRITER_POOL,
    code_version="1",
    description=(
        "One row per run date and account moderators are asked to review: one member of each "
        "coordination ring no reviewed account covers, then the accounts the model is least "
        "sure of (REALPEOPLE_REVIEW_REQUESTS in all), and a separate uniform random audit "
        "(REALPEOPLE_AUDIT_REQUESTS) that must stay the only source of random_sample reviews. "
        "Empty while no model acts."
    ),
)
def review_requests(
    context: AssetExecutionContext, settings: ResourceParam[Settings], warehouse: DuckDBResource
) -> MaterializeResult:
    from realpeople.ml.active import review_requests as choose

    run_date = context.partition_key
    with warehouse.get_connection() as con:
        con.execute(sql("create_review_requests.sql"))
        scores = con.execute(sql("scores_for_run_date.sql"), {"run_date": run_date}).df()
        reviewed = set(
            con.execute(sql("latest_verdicts.sql"), {"run_date": run_date}).df()["account_id"]
        )
        has_rings = con.execute(
            "select count(*) from information_schema.tables "
            "where table_name = 'coordination_clusters'"
        ).fetchone()[0]
        rings = (
            con.execute(sql("rings_for_run_date.sql"), {"run_date": run_date}).df()
            if has_rings
            else None
        )
    # the seed follows the run date: a re-run asks for the same accounts
    requested = (
        choose(
            scores,
            settings.review_requests_per_day,
            settings.audit_requests_per_day,
            reviewed=reviewed,
            rings=rings,
            seed=int(run_date.replace("-", "")),
        )
        if len(scores)
        else pd.DataFrame(columns=["account_id", "request_reason", "rank"])
    )
    with warehouse.get_connection() as con, transaction(con):
        con.execute(sql("delete_review_requests.sql"), {"run_date": run_date})
        if len(requested):
            con.register("requested", requested)
            con.execute(sql("insert_review_requests.sql"), {"run_date": run_date})
            con.unregister("requested")
    counts = requested["request_reason"].value_counts().to_dict()
    return MaterializeResult(
        metadata={
            "run_date": run_date,
            "dagster/row_count": len(requested),
            **{f"requests_{k}": int(v) for k, v in counts.items()},
            "note": "no model acts yet: nothing to request" if scores.empty else "",
        }
    )
