"""Enforcement policy: thresholds chosen on held-out data, and the tier they give.

Tiers (the platform's, see README):
- ``terminate``: automation runs the account. ``score_ai_managed`` at or above the
  lowest threshold whose held-out precision for ``ai_managed`` stays at or above the
  target (0.99). Wrongly terminating a person is the worst error, so the threshold is
  never below ``min_terminate_threshold`` whatever the data say.
- ``warn_and_limit``: AI use beyond assistance that does not reach the terminate bar:
  the probability that AI is involved at all (``score_ai_assisted + score_ai_managed``)
  at or above the lowest threshold whose held-out precision for "not human" is at or
  above ``warn_precision``.

Label noise. Review verdicts are wrong a few percent of the time, so even a perfect
model cannot show precision 0.99 against them: when a share ``label_noise`` of the
verdicts is flipped, measured precision is at most ``1 - label_noise``. The policy
therefore compares the measured precision with the target scaled by the labels'
accuracy, ``target * (1 - label_noise)``, and records both figures with the model. The
noise rate is a setting (``REALPEOPLE_LABEL_NOISE``), to be re-estimated from appeals
and double reviews as they accrue; 0 recovers the plain rule.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

ACTIONS = ("terminate", "warn_and_limit")


@dataclass(frozen=True)
class Policy:
    """The thresholds a model version acts with, and the evidence behind them."""

    terminate_threshold: float
    warn_threshold: float
    terminate_precision_target: float
    label_noise: float
    terminate_heldout_precision: float
    terminate_heldout_recall: float
    terminate_heldout_support: int
    warn_heldout_precision: float
    warn_heldout_recall: float
    target_met: bool

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Policy:
        fields = cls.__dataclass_fields__
        return cls(**{k: type_of(fields[k].type)(v) for k, v in data.items() if k in fields})


def type_of(annotation: str):
    return {"float": float, "int": int, "bool": _bool}[annotation]


def _bool(value) -> bool:
    return value if isinstance(value, bool) else str(value).lower() in ("1", "true", "yes")


def precision_recall_at(is_positive: np.ndarray, score: np.ndarray, threshold: float) -> tuple[float, float, int]:
    """Precision, recall and number flagged when flagging ``score >= threshold``."""
    flagged = score >= threshold
    n_flagged = int(flagged.sum())
    true_pos = int((flagged & is_positive).sum())
    precision = true_pos / n_flagged if n_flagged else 1.0
    recall = true_pos / int(is_positive.sum()) if is_positive.any() else 0.0
    return precision, recall, n_flagged


def lowest_threshold_with_precision(
    is_positive: np.ndarray, score: np.ndarray, precision_target: float,
    floor: float, min_flagged: int = 5,
) -> float | None:
    """The lowest threshold >= ``floor`` whose precision on (is_positive, score) meets the
    target with at least ``min_flagged`` accounts flagged; None if none does."""
    order = np.argsort(-score, kind="stable")
    sorted_score = score[order]
    sorted_pos = is_positive[order].astype(np.int64)
    true_pos = np.cumsum(sorted_pos)
    flagged = np.arange(1, len(score) + 1)
    precision = true_pos / flagged
    # Only cut between distinct scores: ties are flagged together.
    last_of_tie = np.r_[sorted_score[1:] != sorted_score[:-1], True]
    ok = last_of_tie & (precision >= precision_target) & (flagged >= min_flagged) & (sorted_score >= floor)
    if not ok.any():
        return None
    return float(sorted_score[np.flatnonzero(ok).max()])


def choose_policy(
    labels: pd.Series, scores: pd.DataFrame, *, terminate_precision: float = 0.99,
    warn_precision: float = 0.95, label_noise: float = 0.02,
    min_terminate_threshold: float = 0.5, min_warn_threshold: float = 0.5,
) -> Policy:
    """Pick thresholds on held-out ``labels`` (verdicts) and ``scores`` (model output).

    ``scores`` has columns ``score_ai_managed`` and ``score_ai_assisted``.
    """
    labels = np.asarray(labels)
    managed = scores["score_ai_managed"].to_numpy()
    any_ai = managed + scores["score_ai_assisted"].to_numpy()
    accuracy = 1.0 - label_noise
    is_managed = labels == "ai_managed"
    is_ai = labels != "human"

    terminate = lowest_threshold_with_precision(
        is_managed, managed, terminate_precision * accuracy, min_terminate_threshold)
    target_met = terminate is not None
    if terminate is None:
        # Unreachable on these labels: act only on the most certain scores and say so.
        terminate = float(max(min_terminate_threshold, np.quantile(managed, 0.999)))
    warn = lowest_threshold_with_precision(is_ai, any_ai, warn_precision * accuracy, min_warn_threshold)
    if warn is None:
        warn = 1.0
    t_prec, t_rec, t_n = precision_recall_at(is_managed, managed, terminate)
    w_prec, w_rec, _ = precision_recall_at(is_ai, any_ai, warn)
    return Policy(
        terminate_threshold=terminate, warn_threshold=warn,
        terminate_precision_target=terminate_precision, label_noise=label_noise,
        terminate_heldout_precision=t_prec, terminate_heldout_recall=t_rec,
        terminate_heldout_support=t_n, warn_heldout_precision=w_prec, warn_heldout_recall=w_rec,
        target_met=target_met,
    )


def decide_actions(scores: pd.DataFrame, policy: Policy) -> pd.Series:
    """The action per account (``terminate``, ``warn_and_limit`` or None)."""
    managed = scores["score_ai_managed"].to_numpy()
    any_ai = managed + scores["score_ai_assisted"].to_numpy()
    action = np.where(managed >= policy.terminate_threshold, "terminate",
                      np.where(any_ai >= policy.warn_threshold, "warn_and_limit", None))
    return pd.Series(action, index=scores.index, name="action", dtype=object)
