"""Coordination as evidence: clusters of accounts that act together, and what a cluster
says about its members (SynchroTrap / CopyCatch in miniature).

Input grain: one row per pair of accounts (``account_a < account_b``) with ``weight``,
how often they coincided (same minute slots, same targets in order, shared texts...).
People coincide too (a viral post, a busy evening), so a coincidence counts as evidence
only when it is rare among people: the edge bar is the heaviest (or a high quantile) of
the weights of pairs whose two accounts were both reviewed ``human``. Clusters are the connected
components of the edges above that bar.

Output grain: one row per account in a cluster of two or more: the cluster, its size,
the share of the *other* members already confirmed ``ai_managed`` (never the account's
own verdict, so a training label cannot leak into its own feature) and the cluster's
mean steadiness. Plain pandas/scipy; the pipeline does not call it yet (issue 16,
"coordination as evidence": the co-activity graph in dbt is still to be built).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components


def human_edge_bar(edges: pd.DataFrame, verdicts: pd.Series, quantile: float = 1.0,
                   floor: float = 1.0) -> float:
    """The weight a pair must exceed to count as coordination: the ``quantile`` of the
    weights of edges between two reviewed people, never below ``floor``. The default is
    the heaviest such coincidence: conservative, because a lower quantile lets that share
    of all people pairs through, and people pairs are most pairs."""
    human = set(verdicts.index[verdicts == "human"])
    both = edges["account_a"].isin(human) & edges["account_b"].isin(human)
    if not both.any():
        return float(floor)
    return float(max(floor, edges.loc[both, "weight"].quantile(quantile)))


def clusters(edges: pd.DataFrame, bar: float) -> pd.Series:
    """Cluster id per account (connected components of edges with ``weight > bar``);
    accounts left alone are not returned."""
    strong = edges[edges["weight"] > bar]
    if strong.empty:
        return pd.Series(dtype="int64", name="cluster_id")
    ids = pd.Index(pd.unique(pd.concat([strong["account_a"], strong["account_b"]], ignore_index=True)))
    a = ids.get_indexer(strong["account_a"])
    b = ids.get_indexer(strong["account_b"])
    graph = coo_matrix((np.ones(len(a)), (a, b)), shape=(len(ids), len(ids)))
    _, label = connected_components(graph, directed=False)
    return pd.Series(label, index=ids, name="cluster_id")


def cluster_features(cluster_of: pd.Series, verdicts: pd.Series,
                     steadiness: pd.Series | None = None) -> pd.DataFrame:
    """Per clustered account: ``cluster_size``, ``cluster_confirmed_share`` (other members
    with an ``ai_managed`` verdict / other members) and ``cluster_steadiness`` (mean of
    ``steadiness`` over the cluster, e.g. ``session_slot_repeat_share``)."""
    frame = cluster_of.rename("cluster_id").to_frame()
    frame["confirmed"] = (verdicts.reindex(frame.index) == "ai_managed").astype("int64")
    grouped = frame.groupby("cluster_id")
    size = grouped["confirmed"].transform("size")
    confirmed_total = grouped["confirmed"].transform("sum")
    others = size - 1
    out = pd.DataFrame({
        "cluster_id": frame["cluster_id"],
        "cluster_size": size,
        # the account's own verdict is left out: its label must not explain itself
        "cluster_confirmed_share": np.where(others > 0, (confirmed_total - frame["confirmed"]) / others, 0.0),
    }, index=frame.index)
    if steadiness is not None:
        out["cluster_steadiness"] = (steadiness.reindex(frame.index).groupby(frame["cluster_id"])
                                     .transform("mean"))
    return out
