"""Evaluation figures and the model card, written to a folder (then logged to MLflow).

Every figure is drawn from the test set (the newest reviews) unless its title says
otherwise; matplotlib only (the SHAP summary is drawn from LightGBM's TreeSHAP values).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from realpeople.ml.calibrate import reliability
from realpeople.ml.evaluate import per_source_table
from realpeople.ml.features import CLASSES

CARD_METRICS = (
    ("precision_ai_managed", "precision, ai_managed (arg-max)"),
    ("recall_ai_managed", "recall, ai_managed (arg-max)"),
    ("pr_auc_ai_managed", "PR-AUC, ai_managed"),
    ("pr_auc_ai_assisted", "PR-AUC, ai_assisted"),
    ("pr_auc_human", "PR-AUC, human"),
    ("terminate_precision", "terminate precision (population-weighted)"),
    ("terminate_recall", "terminate recall (population-weighted)"),
    ("recall_at_target_precision", "recall at the terminate precision target (policy metric)"),
    ("wrongly_terminated_per_10k_people", "people wrongly terminated per 10,000 (random audit)"),
    ("warn_any_ai_precision", "warn_and_limit precision, any AI"),
    ("warn_any_ai_recall", "warn_and_limit recall, any AI"),
    ("review_share", "share of test reviews sent to review"),
    ("brier_uncalibrated", "Brier before calibration"),
    ("brier_calibrated", "Brier after calibration"),
)


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    _plt().close(fig)
    return path


def confusion_plot(confusion: pd.DataFrame, path: Path) -> Path:
    plt = _plt()
    fig, ax = plt.subplots(figsize=(5, 4))
    matrix = confusion.to_numpy()
    ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(CLASSES)), CLASSES, rotation=20)
    ax.set_yticks(range(len(CLASSES)), CLASSES)
    ax.set_xlabel("predicted")
    ax.set_ylabel("review verdict")
    for (i, j), n in pd.DataFrame(matrix).stack().items():
        ax.text(j, i, int(n), ha="center", va="center")
    ax.set_title("Confusion matrix (newest reviews)")
    return _save(fig, path)


def pr_curves_plot(heldout: pd.DataFrame, precision_target: float, path: Path) -> Path:
    from sklearn.metrics import precision_recall_curve

    plt = _plt()
    fig, ax = plt.subplots(figsize=(5, 4))
    for cls in CLASSES:
        positives = (heldout["label"] == cls).to_numpy()
        if positives.any():
            precision, recall, _ = precision_recall_curve(
                positives, heldout[f"score_{cls}"], sample_weight=heldout["weight"]
            )
            ax.plot(recall, precision, label=cls)
    ax.axhline(precision_target, ls=":", c="grey", label="terminate target")
    ax.set_xlabel("recall")
    ax.set_ylabel("precision (population-weighted)")
    ax.set_title("Precision-recall per class (newest reviews)")
    ax.legend()
    return _save(fig, path)


def calibration_plot(heldout: pd.DataFrame, metrics: dict, path: Path) -> Path:
    plt = _plt()
    fig, axes = plt.subplots(1, 2, figsize=(9, 4.2))
    for ax, cls in zip(axes, ("ai_managed", "ai_assisted"), strict=True):
        positive = (heldout["label"] == cls).to_numpy()
        for column, name in ((f"raw_score_{cls}", "uncalibrated"), (f"score_{cls}", "calibrated")):
            points = reliability(heldout[column].to_numpy(), positive, heldout["weight"].to_numpy())
            if points:
                x, y, _ = zip(*points, strict=True)
                ax.plot(x, y, marker="o", label=name)
        ax.plot([0, 1], [0, 1], ls=":", c="grey")
        ax.set_xlabel(f"predicted P({cls})")
        ax.set_ylabel("observed share (population-weighted)")
        ax.set_title(f"Reliability, {cls}")
        ax.legend()
    fig.suptitle(
        f"Brier {metrics['brier_uncalibrated']:.4f} -> {metrics['brier_calibrated']:.4f} "
        "(newest reviews)"
    )
    return _save(fig, path)


def importance_plot(importance: pd.DataFrame, path: Path) -> Path:
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6, 6))
    top = importance.head(20).iloc[::-1]
    ax.barh(top["feature"], top["gain"])
    ax.set_title("Feature importance (gain)")
    return _save(fig, path)


def shap_summary_plot(
    contrib: pd.DataFrame, values: pd.DataFrame, path: Path, top: int = 15
) -> Path:
    """A SHAP beeswarm: one dot per account and feature, x = contribution towards
    ai_managed, colour = the feature's value (rank within the plotted accounts)."""
    plt = _plt()
    order = contrib.abs().mean().sort_values(ascending=False).index[:top][::-1]
    fig, ax = plt.subplots(figsize=(7, 0.4 * len(order) + 1.5))
    rng = np.random.default_rng(0)
    for row, feature in enumerate(order):
        x = contrib[feature].to_numpy()
        colour = values[feature].rank(pct=True).fillna(0.5).to_numpy()
        ax.scatter(
            x, row + rng.uniform(-0.3, 0.3, len(x)), c=colour, cmap="coolwarm", s=6, alpha=0.7
        )
    ax.set_yticks(range(len(order)), order)
    ax.axvline(0, c="grey", lw=0.5)
    ax.set_xlabel("TreeSHAP contribution to ai_managed (log-odds); colour: feature value low→high")
    ax.set_title("SHAP summary (newest reviews)")
    return _save(fig, path)


def model_card(
    result, *, model_name: str, model_version: str, training_as_of: str, decision=None
) -> str:
    """A Markdown model card: data, method, held-out figures, policy, gate, limitations."""
    m = result.metrics
    p = result.policy
    counts = result.heldout["label"].value_counts().to_dict()
    lines = [
        f"# Model card: {model_name} v{model_version}",
        "",
        (
            "Classifies an account as `human`, `ai_assisted` (AI writing help) or `ai_managed` "
            "(automation runs it) from its behaviour over the feature window. Scores are "
            "calibrated probabilities; actions follow the policy below."
        ),
        "",
        "## Data",
        (
            f"- Trained as of {training_as_of}; {result.n_train} older reviews for training, "
            f"{result.n_test} newest reviews (reviewed at or after {result.test_cutoff}) for testing."
        ),
        f"- Test verdicts: {counts}.",
        f"- Dataset fingerprint `{result.dataset_fingerprint}`.",
        (
            "- Point in time: each review carries the features of the newest snapshot taken before "
            "the day of the review."
        ),
        (
            f"- Population weights per verdict (random audit share / reviewed share): "
            f"{ {k: round(v, 3) for k, v in result.class_weights.items()} }."
        ),
        "",
        "## Method",
        (
            f"- LightGBM multiclass; {len(result.trials)} candidate(s) of a time-boxed search, "
            f"{int(m['cv_folds'])}-fold cross-validation; best multi-logloss {m['cv_multi_logloss']:.4f}, "
            f"{int(m['best_iteration'])} trees."
        ),
        "- Platt calibration per class on out-of-fold predictions, population-weighted.",
        "",
        "## Held-out figures (newest reviews)",
        "| metric | value |",
        "| --- | --- |",
        *(f"| {label} | {m[key]:.4f} |" for key, label in CARD_METRICS if key in m),
        "",
        "## Policy (stored on the model version)",
        (
            f"- terminate: `score_ai_managed >= {p.terminate_threshold:.4f}`; out-of-fold precision "
            f"{p.terminate_heldout_precision:.4f} (95% lower bound {p.terminate_precision_lower:.4f}) against "
            f"the target {p.terminate_precision_target} x (1 - label noise {p.label_noise}); "
            f"target met: {p.target_met}, with confidence: {p.target_met_with_confidence}."
        ),
        (
            f"- the lowest cut keeping that precision was {p.terminate_threshold_lowest:.4f}; the bar "
            f"sets aside the {p.terminate_set_aside} lowest-scoring `ai_managed` verdict(s) it flagged "
            "(possibly wrong verdicts) and rests on the next; the accounts between go to review."
        )
        if p.terminate_set_aside
        else "- the bar is the lowest cut keeping that precision (no verdict set aside).",
        (
            f"- before the bar was chosen, the {p.terminate_others_set_aside} highest-scoring other "
            "verdict(s) (`human`, `ai_assisted`) at or above the floor were set aside as possibly "
            "flipped automation; they still count in the precision above, and the run-date "
            "terminate guard counts audited people above the bar."
        )
        if p.terminate_others_set_aside
        else "- no other verdict was set aside.",
        (
            f"- the bar acts where it keeps the target in {p.terminate_bar_confidence:.0%} of "
            f"bootstrap resamples of the verdicts: {p.terminate_threshold:.4f}, raised from "
            f"{p.terminate_threshold_sample:.4f} on this one sample (the lowest bar that keeps "
            "precision on a few dozen verdicts is optimistic); the accounts between go to review."
            if p.terminate_threshold > p.terminate_threshold_sample >= 0
            else f"- the bar keeps the target in at least {p.terminate_bar_confidence:.0%} of "
            "bootstrap resamples of the verdicts as it is."
            if p.terminate_bar_confidence > 0
            else "- the bar is that of this one sample of verdicts (not resampled)."
        ),
        f"- warn_and_limit: `score_ai_assisted + score_ai_managed >= {p.warn_threshold:.4f}`.",
        (
            f"- review (uncertain band): `score_ai_managed >= {p.review_managed_threshold:.4f}` or "
            f"any-AI `>= {p.review_any_ai_threshold:.4f}`, below the action bars."
        ),
        "",
        "## Per review source (test, unweighted)",
        per_source_table(m).round(4).to_markdown()
        if any(k.startswith("source_") for k in m)
        else "n/a",
    ]
    if decision is not None:
        lines += ["", "## Promotion gate", f"- {decision.reason}."]
        for who, score in (("challenger", decision.challenger), ("champion", decision.champion)):
            if score is not None:
                lines.append(
                    f"- {who}: policy metric {score.policy_metric:.4f}, wrongly terminated "
                    f"per 10k people {score.wrongly_terminated_per_10k:.1f}, Brier {score.brier:.4f}"
                )
    lines += [
        "",
        "## Limitations",
        (
            "- Verdicts are wrong a few percent of the time; precision against them is capped near "
            "1 - noise, hence the noise allowance."
        ),
        (
            "- User reports over-sample automation; headline figures are weighted to the random "
            "audit's class mix, per-source figures are shown above."
        ),
        "- Features describe behaviour over the trailing window only; a new account has little of it.",
    ]
    return "\n".join(lines) + "\n"
