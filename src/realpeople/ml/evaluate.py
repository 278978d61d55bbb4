"""Held-out evaluation that matches use.

- per class: precision, recall and F1 of the arg-max prediction, PR-AUC of the score;
- at the operating thresholds: precision and recall of ``terminate`` and
  ``warn_and_limit``, the share sent to review;
- the estimated number of people wrongly terminated per 10,000 people: the share of
  accounts whose verdict is ``human`` that the terminate threshold flags, on the random
  audit sample (an unbiased draw of the platform's people) and on all reviewed people;
- the same figures per review source (``random_sample``, ``user_report``, ``appeal``).

Headline figures use the population weights of :mod:`ml.dataset`; ``_reviewed``
variants are unweighted (what a reader of the review set would count by hand).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.metrics import (
    average_precision_score,
    confusion_matrix,
    precision_recall_fscore_support,
)

from realpeople.ml.features import CLASSES
from realpeople.ml.policy import (
    REVIEW,
    Policy,
    decide_actions,
    precision_recall_at,
    recall_at_precision,
)

PER_10K = 10_000


def class_metrics(
    labels: pd.Series, proba: np.ndarray, weights: np.ndarray | None = None
) -> dict[str, float]:
    """Per-class precision/recall/F1 of the arg-max prediction, PR-AUC of each probability."""
    labels = np.asarray(labels)
    proba = np.asarray(proba)
    predicted = np.asarray(CLASSES)[proba.argmax(axis=1)]
    precision, recall, f1, _support = precision_recall_fscore_support(
        labels, predicted, labels=list(CLASSES), zero_division=0, sample_weight=weights
    )
    counts = pd.Series(labels).value_counts()
    metrics: dict[str, float] = {}
    for i, cls in enumerate(CLASSES):
        metrics[f"precision_{cls}"] = float(precision[i])
        metrics[f"recall_{cls}"] = float(recall[i])
        metrics[f"f1_{cls}"] = float(f1[i])
        metrics[f"support_{cls}"] = int(counts.get(cls, 0))
        positives = labels == cls
        metrics[f"pr_auc_{cls}"] = (
            float(average_precision_score(positives, proba[:, i], sample_weight=weights))
            if positives.any()
            else float("nan")
        )
    metrics["accuracy"] = float(np.average(predicted == labels, weights=weights))
    return metrics


def confusion(labels: pd.Series, proba: np.ndarray) -> pd.DataFrame:
    """Confusion matrix (counts of reviews): rows are verdicts, columns arg-max predictions."""
    predicted = np.asarray(CLASSES)[np.asarray(proba).argmax(axis=1)]
    matrix = confusion_matrix(np.asarray(labels), predicted, labels=list(CLASSES))
    return pd.DataFrame(
        matrix, index=[f"verdict_{c}" for c in CLASSES], columns=[f"predicted_{c}" for c in CLASSES]
    )


def wrongly_terminated_per_10k(labels: np.ndarray, managed: np.ndarray, threshold: float) -> float:
    """People (verdict ``human``) the terminate threshold flags, per 10,000 people."""
    people = np.asarray(labels) == "human"
    if not people.any():
        return float("nan")
    return float((np.asarray(managed)[people] >= threshold).mean() * PER_10K)


def operating_metrics(
    labels: np.ndarray,
    scores: pd.DataFrame,
    policy: Policy,
    weights: np.ndarray | None = None,
    prefix: str = "",
) -> dict[str, float]:
    """Precision/recall at the policy's thresholds, the review share, wrongly terminated people."""
    labels = np.asarray(labels)
    managed = scores["score_ai_managed"].to_numpy()
    any_ai = managed + scores["score_ai_assisted"].to_numpy()
    is_managed, is_ai = labels == "ai_managed", labels != "human"
    out: dict[str, float] = {}
    t_p, t_r, t_n = precision_recall_at(is_managed, managed, policy.terminate_threshold, weights)
    t_p_raw, t_r_raw, _ = precision_recall_at(is_managed, managed, policy.terminate_threshold)
    w_p, w_r, _ = precision_recall_at(is_ai, any_ai, policy.warn_threshold, weights)
    actions = decide_actions(scores, policy).to_numpy()
    out.update(
        {
            "terminate_precision": t_p,
            "terminate_recall": t_r,
            "terminate_flagged": t_n,
            "terminate_precision_reviewed": t_p_raw,
            "terminate_recall_reviewed": t_r_raw,
            "warn_any_ai_precision": w_p,
            "warn_any_ai_recall": w_r,
            "review_share": float(np.mean(actions == REVIEW)) if len(actions) else 0.0,
            "recall_at_target_precision": recall_at_precision(
                is_managed, managed, policy.terminate_precision_target * (1 - policy.label_noise)
            ),
            "wrongly_terminated_per_10k_reviewed_people": wrongly_terminated_per_10k(
                labels, managed, policy.terminate_threshold
            ),
            "n": len(labels),
        }
    )
    return {f"{prefix}{k}": float(v) for k, v in out.items()}


def evaluate_heldout(
    labels: np.ndarray,
    proba: np.ndarray,
    policy: Policy,
    *,
    sources: np.ndarray | None = None,
    weights: np.ndarray | None = None,
) -> dict[str, float]:
    """Every held-out figure: per class, at the operating thresholds, and per source."""
    from realpeople.ml.score import probabilities

    labels = np.asarray(labels)
    scores = probabilities(np.asarray(proba))
    metrics = class_metrics(labels, proba, weights)
    metrics.update(operating_metrics(labels, scores, policy, weights))
    if sources is not None:
        sources = np.asarray(sources)
        audit = sources == "random_sample"
        # The platform-wide estimate: the random audit is an unbiased draw of people.
        metrics["wrongly_terminated_per_10k_people"] = (
            wrongly_terminated_per_10k(
                labels[audit],
                scores["score_ai_managed"].to_numpy()[audit],
                policy.terminate_threshold,
            )
            if audit.any()
            else float("nan")
        )
        for source in sorted(set(sources)):
            pick = sources == source
            part = scores[pick].reset_index(drop=True)
            sub = operating_metrics(labels[pick], part, policy, prefix=f"source_{source}_")
            is_managed = labels[pick] == "ai_managed"
            sub[f"source_{source}_pr_auc_ai_managed"] = (
                float(average_precision_score(is_managed, part["score_ai_managed"]))
                if is_managed.any()
                else float("nan")
            )
            metrics.update(sub)
    else:
        metrics["wrongly_terminated_per_10k_people"] = metrics[
            "wrongly_terminated_per_10k_reviewed_people"
        ]
    return metrics


def per_source_table(metrics: dict[str, float]) -> pd.DataFrame:
    """The ``source_<s>_<metric>`` entries as a table, one row per review source."""
    rows: dict[str, dict[str, float]] = {}
    for key, value in metrics.items():
        if key.startswith("source_"):
            for source in ("random_sample", "user_report", "appeal"):
                if key.startswith(f"source_{source}_"):
                    rows.setdefault(source, {})[key.removeprefix(f"source_{source}_")] = value
    columns = [
        "n",
        "terminate_precision_reviewed",
        "terminate_recall_reviewed",
        "pr_auc_ai_managed",
        "wrongly_terminated_per_10k_reviewed_people",
        "review_share",
    ]
    table = pd.DataFrame.from_dict(rows, orient="index")
    return table.reindex(columns=[c for c in columns if c in table.columns])
