"""Coordination as evidence: clusters of accounts that act together, and what a cluster
says about its members (SynchroTrap / CopyCatch in miniature).

Input grain: one row per pair of accounts (``account_a < account_b``) with ``weight``,
how often they coincided (same minute slots, same targets in order, shared texts...).
People coincide too (a viral post, a busy evening), so a coincidence counts as evidence
only when it is rare among people: the edge bar is the heaviest coincidence an account
reviewed ``human`` has with any account (a few possibly flipped verdicts set aside, see
:func:`human_edge_bar`). Clusters are the connected components of the edges above that bar.

Output grain: one row per account in a cluster of two or more: the cluster, its size,
the share of the *other* members already confirmed ``ai_managed`` (never the account's
own verdict, so a training label cannot leak into its own feature) and the cluster's
mean steadiness. Plain pandas/scipy.

:func:`cluster_table` is what the pipeline stores (``coordination_clusters``, written by
the model stage for each run date): one row per clustered account, with the evidence that
ties it to its cluster, and evidence *propagated* from members already actioned: an
account neither terminated nor confirmed itself, in a small, steady cluster where most other members are
confirmed automation or terminated, or where a moderator confirmed any other member, is
``tied_to_actioned`` (moderators should look at
it first). Nothing is terminated on this tie alone: people coincide too, and a cluster
is only as clean as its edge bar.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components


def human_edge_bar(
    edges: pd.DataFrame, verdicts: pd.Series, label_noise: float = 0.02, floor: float = 1.0
) -> float:
    """The weight a pair must exceed to count as coordination: the heaviest coincidence a
    reviewed person has with *any* account, never below ``floor``.

    Each account with a latest verdict ``human`` contributes its heaviest edge. Pairs of
    two reviewed people are too rare to learn from on a platform with a few hundred
    reviews: on simulator seed 88 (252 reviewed people) there was none, the bar fell to
    its floor, and one component of 6,559 accounts swallowed every ring; the 59 reviewed
    people with an edge at all tied to others with at most 3 targets, the stealth rings
    with 12 (median). A verdict is wrong now and then, and a ring member reviewed
    ``human`` would lift the bar over every ring: the ``k`` heaviest reviewed people are
    set aside, ``k`` the automated accounts expected among the ``human`` verdicts
    (``label_noise / (1 - label_noise)`` per non-human verdict, rounded up, as the
    terminate guard counts flipped verdicts)."""
    human = verdicts.index[verdicts == "human"]
    if edges.empty or not len(human):
        return float(floor)
    ends = pd.concat(
        [
            edges[["account_a", "weight"]].rename(columns={"account_a": "account_id"}),
            edges[["account_b", "weight"]].rename(columns={"account_b": "account_id"}),
        ],
        ignore_index=True,
    )
    heaviest = ends.groupby("account_id")["weight"].max().reindex(human).dropna()
    non_human = int((verdicts.notna() & (verdicts != "human")).sum())
    set_aside = int(np.ceil(non_human * label_noise / (1.0 - label_noise) - 1e-9))
    kept = heaviest.sort_values(ascending=False).iloc[set_aside:]
    if kept.empty:
        return float(floor)
    return float(max(floor, kept.iloc[0]))


def clusters(edges: pd.DataFrame, bar: float) -> pd.Series:
    """Cluster id per account (connected components of edges with ``weight > bar``);
    accounts left alone are not returned."""
    strong = edges[edges["weight"] > bar]
    if strong.empty:
        return pd.Series(dtype="int64", name="cluster_id")
    ids = pd.Index(
        pd.unique(pd.concat([strong["account_a"], strong["account_b"]], ignore_index=True))
    )
    a = ids.get_indexer(strong["account_a"])
    b = ids.get_indexer(strong["account_b"])
    graph = coo_matrix((np.ones(len(a)), (a, b)), shape=(len(ids), len(ids)))
    _, label = connected_components(graph, directed=False)
    return pd.Series(label, index=ids, name="cluster_id")


def cluster_features(
    cluster_of: pd.Series, verdicts: pd.Series, steadiness: pd.Series | None = None
) -> pd.DataFrame:
    """Per clustered account: ``cluster_size``, ``cluster_confirmed_share`` (other members
    with an ``ai_managed`` verdict / other members) and ``cluster_steadiness`` (mean of
    ``steadiness`` over the cluster, e.g. ``session_slot_repeat_share``)."""
    frame = cluster_of.rename("cluster_id").to_frame()
    frame["confirmed"] = (verdicts.reindex(frame.index) == "ai_managed").astype("int64")
    grouped = frame.groupby("cluster_id")
    size = grouped["confirmed"].transform("size")
    confirmed_total = grouped["confirmed"].transform("sum")
    others = size - 1
    out = pd.DataFrame(
        {
            "cluster_id": frame["cluster_id"],
            "cluster_size": size,
            # the account's own verdict is left out: its label must not explain itself
            "cluster_confirmed_share": np.where(
                others > 0, (confirmed_total - frame["confirmed"]) / others, 0.0
            ),
        },
        index=frame.index,
    )
    if steadiness is not None:
        out["cluster_steadiness"] = (
            steadiness.reindex(frame.index).groupby(frame["cluster_id"]).transform("mean")
        )
    return out


# A cluster this large is not a ring: on seed 9 the one giant component (1,359 accounts)
# was naive farms plus 465 people who like the same popular posts.
MAX_RING_SIZE = 50
# Mean session_slot_repeat_share of a ring: farms keep their daily slots, people do not
# (seed 9: clusters of at most 50 with mean >= 0.7 held 583 of 600 stealth accounts and
# 2 people).
MIN_RING_STEADINESS = 0.7
# Share of the *other* members actioned (terminated by the model or confirmed by a
# moderator) from which a tie counts as propagated evidence.
MIN_ACTIONED_SHARE = 0.5


def cluster_table(
    edges: pd.DataFrame,
    verdicts: pd.Series,
    terminated: pd.Series,
    steadiness: pd.Series,
    activity: pd.DataFrame | None = None,
    bar: float | None = None,
    label_noise: float = 0.02,
) -> pd.DataFrame:
    """One row per account in a cluster of two or more (grain of ``coordination_clusters``).

    ``edges``: ``account_a``, ``account_b``, ``weight`` (shared targets engaged within the
    co-targeting window). ``verdicts``: latest verdict by account id. ``terminated``:
    bool by account id, the run's proposed action is ``terminate``. ``steadiness``: by
    account id (``session_slot_repeat_share``). ``activity``: ``first_activity`` and
    ``last_activity`` by account id (the window's first and last event). ``bar``: the
    edge weight to exceed (default :func:`human_edge_bar`, with ``label_noise``, the share of
    verdicts assumed wrong).

    Columns: ``cluster_id`` (the cluster's smallest account id, so a cluster keeps its
    name while its members stay), ``account_id``, ``cluster_size``, ``ties`` (edges of the
    account above the bar), ``strongest_tie`` (its heaviest edge), ``edge_bar``,
    ``cluster_steadiness``, ``confirmed_share`` (other members with an ``ai_managed``
    verdict), ``actioned_share`` (other members confirmed or terminated), ``is_ring``
    (size <= :data:`MAX_RING_SIZE` and steadiness >= :data:`MIN_RING_STEADINESS`),
    ``tied_to_actioned`` (a ring member not itself actioned, with ``actioned_share``
    >= :data:`MIN_ACTIONED_SHARE`, or any other member confirmed ``ai_managed`` by a
    moderator), ``evidence`` (in words), ``first_activity``,
    ``last_activity``."""
    columns = [
        "cluster_id",
        "account_id",
        "cluster_size",
        "ties",
        "strongest_tie",
        "edge_bar",
        "cluster_steadiness",
        "confirmed_share",
        "actioned_share",
        "is_ring",
        "tied_to_actioned",
        "evidence",
        "first_activity",
        "last_activity",
    ]
    bar = human_edge_bar(edges, verdicts, label_noise) if bar is None else float(bar)
    cluster_of = clusters(edges, bar)
    if cluster_of.empty:
        return pd.DataFrame(columns=columns)
    frame = cluster_features(cluster_of, verdicts, steadiness)
    is_terminated = pd.Series(
        frame.index.isin(terminated.index[terminated.astype(bool)]), index=frame.index
    )
    actioned = ((verdicts.reindex(frame.index) == "ai_managed") | is_terminated).astype("int64")
    others = frame["cluster_size"] - 1
    total = actioned.groupby(frame["cluster_id"]).transform("sum")
    frame["actioned_share"] = np.where(others > 0, (total - actioned) / others, 0.0)
    strong = edges[edges["weight"] > bar]
    ends = pd.concat(
        [
            strong[["account_a", "weight"]].rename(columns={"account_a": "account_id"}),
            strong[["account_b", "weight"]].rename(columns={"account_b": "account_id"}),
        ]
    )
    per_account = ends.groupby("account_id")["weight"].agg(["size", "max"])
    frame["ties"] = per_account["size"].reindex(frame.index).fillna(0).astype("int64")
    frame["strongest_tie"] = per_account["max"].reindex(frame.index)
    frame["edge_bar"] = bar
    frame["confirmed_share"] = frame["cluster_confirmed_share"]
    frame["cluster_steadiness"] = frame["cluster_steadiness"].fillna(0.0)
    frame["is_ring"] = (frame["cluster_size"] <= MAX_RING_SIZE) & (
        frame["cluster_steadiness"] >= MIN_RING_STEADINESS
    )
    # A moderator's verdict on one member speaks for its ring (what review requests ask
    # for); otherwise most of the other members must be actioned.
    frame["tied_to_actioned"] = (
        frame["is_ring"]
        & (actioned == 0)
        & ((frame["actioned_share"] >= MIN_ACTIONED_SHARE) | (frame["confirmed_share"] > 0))
    )
    frame["evidence"] = [
        f"engaged the same targets at the same time as {t} other account(s) (up to {w:.0f} targets; "
        f"people's heaviest coincidence: {bar:.0f}); cluster of {n}, "
        f"{100 * a:.0f} % of the others actioned, daily slots repeated {100 * st:.0f} %"
        for t, w, n, a, st in zip(
            frame["ties"],
            frame["strongest_tie"],
            frame["cluster_size"],
            frame["actioned_share"],
            frame["cluster_steadiness"],
            strict=True,
        )
    ]
    # name a cluster after its smallest member id
    frame["cluster_id"] = frame.index.to_series().groupby(frame["cluster_id"]).transform("min")
    frame = frame.rename_axis("account_id").reset_index()
    if activity is not None and len(activity):
        frame = frame.join(activity[["first_activity", "last_activity"]], on="account_id")
    else:
        frame["first_activity"] = pd.NaT
        frame["last_activity"] = pd.NaT
    return frame.loc[:, columns].sort_values(["cluster_id", "account_id"], ignore_index=True)


# Structural cluster features, for the model (issue 16). Unlike cluster_table they read no
# verdict, score or action: only the co-activity edges of one snapshot's window and each
# account's own steadiness, so no label can leak into them, and each training snapshot
# gets them as of its own date (written right after that date's feature build).
#
# Their edge bar cannot be learned from reviewed people (that would read labels). An edge
# counts when the pair shares more than STRUCTURAL_EDGE_BAR_PER_WEEK targets per week of
# the window (so the bar does not loosen as the window grows from a training snapshot's 7
# days to the scored snapshot's 14-28: the weights grow with the window) and at least
# MIN_SHARED_SHARE of the larger of the two accounts' engaged targets: a power user
# coincides with many accounts, a few targets each out of hundreds; a ring shares most of
# what it engages. Measured (docs/models.md, "Cluster features inside the model"): seed
# 21, 20,000 accounts x 14 days: 2,242 of 2,439 stealth-stealth pairs pass, none of 9,259
# people pairs nor any other pair; a 2,000-account 10-day world: 204 of 271 stealth pairs,
# 0 of 3,577 people pairs, 2 people / ai_assisted pairs.
STRUCTURAL_EDGE_BAR_PER_WEEK = 2.0
MIN_SHARED_SHARE = 0.1

CLUSTER_FEATURE_COLUMNS = (
    "cotarget_strongest_share",
    "cotarget_strongest_tie_per_week",
    "cluster_size",
    "cluster_ties",
    "cluster_steadiness",
    "cluster_is_ring",
    "text_company_shared_share",
)


def shared_share(edges: pd.DataFrame) -> pd.Series:
    """Per edge: shared targets / the larger of the two accounts' engaged targets."""
    larger = np.maximum(edges["targets_a"].astype("float64"), edges["targets_b"].astype("float64"))
    return edges["weight"].astype("float64") / np.maximum(larger, 1.0)


def structural_features(
    edges: pd.DataFrame,
    steadiness: pd.Series,
    window_days: float,
    text_company: pd.Series | None = None,
) -> pd.DataFrame:
    """One row per account of ``steadiness`` (the snapshot's accounts), indexed by account
    id; columns :data:`CLUSTER_FEATURE_COLUMNS`:

    - ``cotarget_strongest_share``: the largest :func:`shared_share` of its edges (0
      without any): how much of its activity it shares with its closest partner;
    - ``cotarget_strongest_tie_per_week``: shared targets on its heaviest edge, per 7
      days of the window;
    - ``cluster_size``: members of its connected component over the structural edges
      (above both bars; 1 when none of its edges passes);
    - ``cluster_ties``: its structural edges;
    - ``cluster_steadiness``: mean ``steadiness`` of the *other* members (NaN alone):
      farms keep their daily slots, and an account's own steadiness is a feature already;
    - ``cluster_is_ring``: 1 for a cluster of 3 to :data:`MAX_RING_SIZE` members whose mean
      steadiness (all members) is at least :data:`MIN_RING_STEADINESS`, else 0;
    - ``text_company_shared_share``: ``text_company`` as given (dbt's
      ``int_accounts_text_company``: how shared the other writers' texts are; the company
      an account's shared texts keep), NaN where absent.

    ``edges``: ``account_a``, ``account_b``, ``weight``, ``targets_a``, ``targets_b`` (dbt's
    ``int_account_pairs_cotargeted`` as of the snapshot). ``steadiness``: by account id
    (``session_slot_repeat_share``). ``window_days``: days the snapshot's window spans.
    Takes no verdict, score or action by design (a test holds it to that)."""
    accounts = steadiness.index
    out = pd.DataFrame(
        {
            "cotarget_strongest_share": 0.0,
            "cotarget_strongest_tie_per_week": 0.0,
            "cluster_size": 1.0,
            "cluster_ties": 0.0,
            "cluster_steadiness": np.nan,
            "cluster_is_ring": 0.0,
            "text_company_shared_share": (
                np.nan if text_company is None else text_company.reindex(accounts)
            ),
        },
        index=accounts,
    )
    if edges is None or edges.empty or not len(accounts):
        return out.rename_axis("account_id")
    weeks = max(float(window_days), 1.0) / 7.0
    edges = edges.assign(share=shared_share(edges))
    ends = pd.concat(
        [
            edges[["account_a", "weight", "share"]].rename(columns={"account_a": "account_id"}),
            edges[["account_b", "weight", "share"]].rename(columns={"account_b": "account_id"}),
        ],
        ignore_index=True,
    )
    per_account = ends.groupby("account_id").agg(weight=("weight", "max"), share=("share", "max"))
    out["cotarget_strongest_share"] = per_account["share"].reindex(accounts).fillna(0.0)
    out["cotarget_strongest_tie_per_week"] = (
        (per_account["weight"] / weeks).reindex(accounts).fillna(0.0)
    )
    bar = STRUCTURAL_EDGE_BAR_PER_WEEK * weeks
    strong = edges[(edges["weight"] > bar) & (edges["share"] >= MIN_SHARED_SHARE)]
    # clusters() keeps edges heavier than its bar: every strong edge passes 0
    cluster_of = clusters(strong, 0.0)
    if cluster_of.empty:
        return out.rename_axis("account_id")
    ties = pd.concat([strong["account_a"], strong["account_b"]]).value_counts()
    out["cluster_ties"] = ties.reindex(accounts).fillna(0).astype("float64")
    size = cluster_of.groupby(cluster_of).transform("size").astype("float64")
    steady = steadiness.reindex(cluster_of.index).astype("float64").fillna(0.0)
    total = steady.groupby(cluster_of).transform("sum")
    out["cluster_size"] = size.reindex(accounts).fillna(1.0)
    out["cluster_steadiness"] = ((total - steady) / (size - 1)).reindex(accounts)
    ring = (size >= 3) & (size <= MAX_RING_SIZE) & (total / size >= MIN_RING_STEADINESS)
    out["cluster_is_ring"] = ring.astype("float64").reindex(accounts).fillna(0.0)
    return out.loc[:, list(CLUSTER_FEATURE_COLUMNS)].rename_axis("account_id")
