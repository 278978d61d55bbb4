"""Which accounts moderators should review next: the verdicts that teach the model most.

Grain of :func:`review_requests`: one row per requested account, with why it is asked
(``request_reason``) and its rank. Two kinds of requests, kept apart on purpose:

- **model requests**: the accounts the model is least sure of (uncertainty sampling:
  the smallest margin between its two likeliest classes, and, first, unreviewed members
  of coordination rings no reviewed account covers yet). A verdict there moves the
  decision boundary; a verdict on an account scored 0.999 does not.
- **the random audit**: a uniform sample, never chosen by the model, so the prevalence
  and precision estimates built on ``source = 'random_sample'`` stay unbiased. Model
  requests must be reviewed as ``user_report``-like sources, never as the random sample.

Plain pandas/numpy; no Dagster. ``benchmarks/learning_curve.py`` measures what each kind
of review buys (recall at the precision target against reviews spent).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

UNCERTAIN = "uncertain"
RING_UNCOVERED = "ring_not_yet_reviewed"
RANDOM_AUDIT = "random_audit"
REQUEST_REASONS: tuple[str, ...] = (RING_UNCOVERED, UNCERTAIN, RANDOM_AUDIT)


def margin(proba: np.ndarray) -> np.ndarray:
    """Difference between the two largest class probabilities per row (small = unsure)."""
    top = np.sort(np.asarray(proba, dtype="float64"), axis=1)
    return top[:, -1] - top[:, -2]


def uncertainty_order(proba: np.ndarray) -> np.ndarray:
    """Row indices, least sure first (smallest margin; ties by index)."""
    return np.argsort(margin(proba), kind="stable")


def review_requests(
    scores: pd.DataFrame,
    n_model: int,
    n_random: int,
    *,
    reviewed: set | None = None,
    rings: pd.DataFrame | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """``n_model`` model requests and ``n_random`` random-audit requests among accounts not
    yet ``reviewed``.

    ``scores``: ``account_id``, ``score_human``, ``score_ai_assisted``,
    ``score_ai_managed``. ``rings``: optional ``account_id``, ``cluster_id``, ``is_ring``
    (``coordination_clusters``): one member of each ring that holds no reviewed account
    is asked first (the least sure one; least-sure rings first; at most half of
    ``n_model``), since one verdict there speaks for the ring.
    The random audit is drawn from every unreviewed account, model requests included, so
    it stays uniform."""
    reviewed = reviewed or set()
    # sorted, so the same scores and seed ask for the same accounts whatever the row order
    pool = scores[~scores["account_id"].isin(reviewed)].sort_values("account_id", ignore_index=True)
    proba = pool[["score_human", "score_ai_assisted", "score_ai_managed"]].to_numpy()
    pool = pool.assign(margin=margin(proba))
    picked: list[tuple[str, str]] = []
    if rings is not None and len(rings):
        ring_rows = rings[rings["is_ring"].astype(bool)]
        covered = set(ring_rows.loc[ring_rows["account_id"].isin(reviewed), "cluster_id"])
        uncovered = ring_rows[~ring_rows["cluster_id"].isin(covered)].merge(pool, on="account_id")
        first = uncovered.sort_values(["margin", "account_id"]).drop_duplicates("cluster_id")
        # at most half the model requests: on seed 7 the uncovered rings alone took all 25,
        # most of them rings the model already terminates
        picked += [(a, RING_UNCOVERED) for a in first["account_id"].head(n_model // 2)]
    taken = {a for a, _ in picked}
    for account in pool.sort_values(["margin", "account_id"])["account_id"]:
        if len(picked) >= n_model:
            break
        if account not in taken:
            picked.append((account, UNCERTAIN))
            taken.add(account)
    rng = np.random.default_rng(seed)
    audit = rng.choice(pool["account_id"].to_numpy(), size=min(n_random, len(pool)), replace=False)
    out = pd.DataFrame(
        picked + [(a, RANDOM_AUDIT) for a in audit], columns=["account_id", "request_reason"]
    )
    out["rank"] = out.groupby("request_reason").cumcount() + 1
    return out
