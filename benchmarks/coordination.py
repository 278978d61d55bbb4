"""How well co-targeting clusters find automation, against the simulator's truth
(benchmarks and docs only; the pipeline does not read the truth, nor these clusters yet).

Grain of what it reads: ``int_account_pairs_cotargeted`` (one row per pair of accounts;
build it with ``dbt run --select int_account_days_cotargeted int_account_pairs_cotargeted --vars
'{"run_date": "...", "coordination_graph": true}'``), each account's latest review verdict
(``raw.reviews``) and ``account_features`` of the run date.

    python benchmarks/coordination.py --warehouse W --truth ground_truth.parquet \
        --run-date 2026-11-15 [--max-size 50 --min-steadiness 0.7]

Prints the clusters found (ml.coordination: edges above the heaviest reviewed-people
coincidence), what they hold per archetype, and the accounts in clusters of at most
``--max-size`` members whose mean ``session_slot_repeat_share`` is at least
``--min-steadiness``: people and automation, per archetype.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import duckdb
import pandas as pd

from realpeople.ml.coordination import cluster_features, clusters, human_edge_bar

LATEST_VERDICTS = """
select account_id, verdict from (
    select account_id, verdict,
           row_number() over (partition by account_id order by reviewed_at desc) as newest
    from raw.reviews where cast(reviewed_at as date) <= cast(? as date)) where newest = 1
"""


def evaluate(
    warehouse: Path, truth: pd.DataFrame, run_date: str, max_size: int, min_steadiness: float
) -> dict:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        edges = con.execute(
            "select account_a, account_b, weight from int_account_pairs_cotargeted"
        ).df()
        verdicts = con.execute(LATEST_VERDICTS, [run_date]).df().set_index("account_id")["verdict"]
        steady = (
            con.execute(
                "select account_id, session_slot_repeat_share from account_features "
                "where run_date = ?",
                [run_date],
            )
            .df()
            .set_index("account_id")
        )
    bar = human_edge_bar(edges, verdicts)
    found = cluster_features(clusters(edges, bar), verdicts, steady["session_slot_repeat_share"])
    found = found.join(truth.set_index("account_id"))
    flagged = found[
        (found["cluster_size"] <= max_size) & (found["cluster_steadiness"] >= min_steadiness)
    ]
    totals = truth["archetype"].value_counts()
    table = (
        pd.DataFrame(
            {
                "accounts": totals,
                "clustered": found["archetype"].value_counts(),
                "in_small_steady_clusters": flagged["archetype"].value_counts(),
            }
        )
        .fillna(0)
        .astype(int)
    )
    return {
        "edges": len(edges),
        "bar": bar,
        "clusters": found["cluster_id"].nunique(),
        "largest_cluster": int(found["cluster_size"].max()) if len(found) else 0,
        "small_steady_clusters": flagged["cluster_id"].nunique(),
        "table": table,
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--warehouse", type=Path, required=True)
    ap.add_argument("--truth", type=Path, required=True)
    ap.add_argument("--run-date", required=True)
    ap.add_argument("--max-size", type=int, default=50)
    ap.add_argument("--min-steadiness", type=float, default=0.7)
    args = ap.parse_args(argv)
    out = evaluate(
        args.warehouse,
        pd.read_parquet(args.truth),
        args.run_date,
        args.max_size,
        args.min_steadiness,
    )
    print(
        f"{out['edges']:,} co-targeting pairs; edge bar {out['bar']:.1f}; {out['clusters']} clusters "
        f"(largest {out['largest_cluster']:,}); {out['small_steady_clusters']} of at most "
        f"{args.max_size} members with mean slot repeat >= {args.min_steadiness}"
    )
    print(out["table"].to_string())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
