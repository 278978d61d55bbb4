"""Train the account-authenticity model: LightGBM multiclass on reviewed accounts.

Grain of the training set: one row per reviewed account, its point-in-time features and
its latest review verdict as the label (see :mod:`ml.dataset` for how the rows, label
noise and the bias of user reports are handled).

Steps, all on plain frames:

1. **Split by time**: the newest quarter of reviews is the test set; nothing below
   touches it until step 6.
2. **Search** (small, time-boxed): each candidate in :data:`SEARCH_SPACE` is scored by
   5-fold stratified cross-validation on the older reviews, with LightGBM's early
   stopping choosing the number of trees; the best mean multi-logloss wins. Every
   candidate is returned as a trial (logged as an MLflow child run).
3. **Out-of-fold predictions** of the winning candidate: each training review scored by
   the fold model that did not see it.
4. **Calibration** (:mod:`ml.calibrate`) is fitted on those out-of-fold predictions,
   with population weights. The **policy thresholds** (:mod:`ml.policy`) come from
   *time-aware* out-of-fold scores instead (:func:`time_aware_scores`: each review
   scored by a model fitted only on older reviews), so no future leaks into the past.
5. **Final model**: the winning parameters on all older reviews, with the tree count
   cross-validation chose.
6. **Test**: the final, calibrated model on the newest reviews: per-class metrics,
   operating-point metrics, wrongly terminated people, per source, Brier before and
   after calibration. These are the figures the promotion gate and the model card use.
   They are measured with the thresholds chosen on the older reviews alone (the
   *report* policy), beside those of the previous method (stratified out-of-fold
   scores, ``old_policy_*``), so the newest quarter stays an untouched report.
7. **Every label for the thresholds the model acts with**: the final model's scores of
   the newest reviews are themselves the last forward fold (fitted on everything older),
   so the policy stored with the model is chosen on the time-aware out-of-fold scores of
   *all* reviews (``deployed_policy_*`` figures, with the precision's confidence bound
   and how many flagged reviews that bound would need).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.model_selection import StratifiedKFold

from realpeople.ml.calibrate import brier, fit_calibrator
from realpeople.ml.dataset import fingerprint, population_weights, time_split, validate
from realpeople.ml.evaluate import class_metrics, confusion, evaluate_heldout
from realpeople.ml.features import CLASSES, FEATURES, feature_matrix
from realpeople.ml.policy import (
    TERMINATE_BAR_CONFIDENCE,
    Policy,
    choose_policy,
    flagged_needed,
    people_flagged_upper_per_10k,
    precision_recall_at,
    time_folds,
)
from realpeople.ml.score import AccountModel, probabilities
from realpeople.progress import Progress

DEFAULT_PARAMS: dict = {
    "objective": "multiclass",
    "num_class": len(CLASSES),
    "learning_rate": 0.05,
    "num_leaves": 31,
    "min_data_in_leaf": 20,
    "feature_fraction": 0.9,
    "bagging_fraction": 0.9,
    "bagging_freq": 1,
    "lambda_l2": 1.0,
    # One thread: training sets here are small, and on shared 2-core machines OpenMP
    # threads spin-wait against each other (measured 10x slower).
    "num_threads": 1,
    "verbosity": -1,
}
# Small on purpose: a few shapes of tree, tried in this order until the time box ends.
SEARCH_SPACE: tuple[dict, ...] = (
    {},
    {"num_leaves": 15, "min_data_in_leaf": 40},
    {"num_leaves": 63, "min_data_in_leaf": 20, "feature_fraction": 0.7},
    {"num_leaves": 31, "min_data_in_leaf": 60, "lambda_l2": 10.0},
)
MAX_ROUNDS = 600
EARLY_STOPPING_ROUNDS = 40
CV_FOLDS = 5
TIME_BLOCKS = 5  # forward-chaining blocks of the older reviews for the threshold scores


@dataclass
class Trial:
    """One candidate of the search: its parameters and cross-validated score."""

    params: dict
    cv_multi_logloss: float
    best_iteration: int
    seconds: float


@dataclass
class TrainResult:
    """A trained, calibrated model and what was measured about it."""

    model: AccountModel
    params: dict
    metrics: dict[str, float]  # test (newest reviews) figures, plus cv_* figures
    policy: Policy
    confusion: pd.DataFrame
    importance: pd.DataFrame
    heldout: pd.DataFrame  # test rows: account_id, label, source, weight, score_*, raw_score_*
    test: pd.DataFrame  # test rows with their features: the gate scores the champion on them
    dataset_fingerprint: str
    n_train: int
    n_test: int
    trials: list[Trial] = field(default_factory=list)
    class_weights: dict[str, float] = field(default_factory=dict)
    test_cutoff: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def booster(self) -> lgb.Booster:
        return self.model.booster


# The final fit (step 5) as a swappable step: (params, features, encoded labels, rounds,
# sample weights or None) -> booster. Everything around it (split, search, calibration,
# policy, test) stays the same whichever backend fits, so a model fitted elsewhere (e.g.
# on a Dask cluster, :mod:`ml.distributed`) is calibrated, judged and registered alike.
FitBackend = Callable[[dict, pd.DataFrame, np.ndarray, int, "np.ndarray | None"], lgb.Booster]


def fit_local(
    params: dict,
    x: pd.DataFrame,
    y: np.ndarray,
    num_boost_round: int,
    sample_weight: np.ndarray | None = None,
) -> lgb.Booster:
    """The final fit in this process (the default backend)."""
    return lgb.train(
        params, lgb.Dataset(x, label=y, weight=sample_weight), num_boost_round=num_boost_round
    )


def _encode(labels: pd.Series) -> np.ndarray:
    return labels.map({c: i for i, c in enumerate(CLASSES)}).to_numpy()


def _cross_validate(
    x: pd.DataFrame, y: np.ndarray, params: dict, folds: list
) -> tuple[float, int, np.ndarray]:
    """(mean multi-logloss, best iteration, out-of-fold probabilities) of ``params``."""
    data = lgb.Dataset(x, label=y, free_raw_data=False)
    cv = lgb.cv(
        params,
        data,
        num_boost_round=MAX_ROUNDS,
        folds=folds,
        return_cvbooster=True,
        callbacks=[lgb.early_stopping(EARLY_STOPPING_ROUNDS, verbose=False)],
    )
    losses = cv["valid multi_logloss-mean"]
    best = len(losses)
    oof = np.zeros((len(x), len(CLASSES)))
    for booster, (_, val_idx) in zip(cv["cvbooster"].boosters, folds, strict=True):
        oof[val_idx] = booster.predict(x.iloc[val_idx], num_iteration=best)
    return float(losses[-1]), best, oof


def time_aware_scores(
    x: pd.DataFrame, y: np.ndarray, times, params: dict, rounds: int, n_blocks: int = TIME_BLOCKS
) -> np.ndarray:
    """Raw class probabilities of each row from a model fitted only on rows reviewed
    before it (forward-chaining folds, :func:`ml.policy.time_folds`); NaN for the oldest
    block, which has nothing older to learn from. Grain: one row per training review."""
    out = np.full((len(x), len(CLASSES)), np.nan)
    folds = time_folds(times, n_blocks)
    with Progress("training: time-aware folds", total=len(folds), unit="folds") as bar:
        for fit_rows, scored_rows in folds:
            booster = lgb.train(
                params, lgb.Dataset(x.iloc[fit_rows], label=y[fit_rows]), num_boost_round=rounds
            )
            out[scored_rows] = booster.predict(x.iloc[scored_rows])
            bar.advance()
    return out


def _policy_figures(prefix: str, policy: Policy, labels, managed_scores) -> dict[str, float]:
    """Held-out precision/recall of ``policy``'s terminate bar on (labels, scores)."""
    is_managed = np.asarray(labels) == "ai_managed"
    precision, recall, flagged = precision_recall_at(
        is_managed, managed_scores, policy.terminate_threshold
    )
    return {
        f"{prefix}_terminate_threshold": policy.terminate_threshold,
        f"{prefix}_heldout_terminate_precision": precision,
        f"{prefix}_heldout_terminate_recall": recall,
        f"{prefix}_heldout_terminate_flagged": flagged,
    }


def typical_person(frame: pd.DataFrame) -> dict[str, float]:
    """Median of each feature over reviewed people (for reason codes' comparisons)."""
    people = frame.loc[frame["label"] == "human", list(FEATURES)].astype("float64")
    medians = people.median()
    return {k: float(v) for k, v in medians.items() if pd.notna(v)}


def train_model(
    training: pd.DataFrame,
    *,
    seed: int = 0,
    test_size: float = 0.25,
    params: dict | None = None,
    terminate_precision: float = 0.99,
    label_noise: float = 0.02,
    search: bool = True,
    search_seconds: float = 30.0,
    calibration: str = "platt",
    fit: FitBackend = fit_local,
    bar_confidence: float = TERMINATE_BAR_CONFIDENCE,
) -> TrainResult:
    """Train on ``training`` (features + ``label``, optional ``source``, ``reviewed_at``).

    ``params`` override the defaults for every candidate; ``search=False`` tries only
    the first candidate. ``fit`` does the final fit (step 5); the search's
    cross-validation always runs here.
    """
    validate(training)
    split = time_split(training, test_size=test_size)
    train, test = split.train, split.test
    sources_train = train.get("source", None)
    w_train, class_weights = population_weights(train["label"], sources_train)
    w_test = test["label"].map(class_weights).to_numpy(dtype="float64")

    x, y = feature_matrix(train), _encode(train["label"])
    n_folds = int(min(CV_FOLDS, pd.Series(y).value_counts().min()))
    if n_folds < 2:
        raise ValueError("too few older reviews per class for cross-validation")
    folds = list(StratifiedKFold(n_splits=n_folds, shuffle=True, random_state=seed).split(x, y))

    trials: list[Trial] = []
    best: tuple[float, int, np.ndarray, dict] | None = None
    started = time.perf_counter()
    candidates = SEARCH_SPACE if search else SEARCH_SPACE[:1]
    with Progress(
        f"training: candidates, {n_folds}-fold each", total=len(candidates), unit="candidates"
    ) as bar:
        for candidate in candidates:
            if trials and time.perf_counter() - started > search_seconds:
                break  # the time box: the defaults always run, the rest only while time is left
            trial_params = {**DEFAULT_PARAMS, **candidate, **(params or {}), "seed": seed}
            t0 = time.perf_counter()
            loss, iterations, oof = _cross_validate(x, y, trial_params, folds)
            trials.append(Trial(trial_params, loss, iterations, time.perf_counter() - t0))
            if best is None or loss < best[0]:
                best = (loss, iterations, oof, trial_params)
            bar.advance()
    assert best is not None
    cv_loss, best_iteration, oof, best_params = best

    # Calibration and thresholds from out-of-fold predictions (never the test set).
    calibrator = fit_calibrator(oof, train["label"].to_numpy(), w_train, method=calibration)
    oof_calibrated = calibrator.transform(oof)
    policy_args = {
        "terminate_precision": terminate_precision,
        "label_noise": label_noise,
        "bar_confidence": bar_confidence,
    }
    # The previous method, kept for comparison: thresholds on stratified out-of-fold scores
    # (random folds: a review may be scored by a model that saw later ones).
    old_policy = choose_policy(
        train["label"], probabilities(oof_calibrated), weights=w_train, **policy_args
    )
    # Thresholds on time-aware out-of-fold scores of the older reviews (the report policy).
    timed = time_aware_scores(x, y, train["reviewed_at"], best_params, best_iteration)
    timed_rows = ~np.isnan(timed).any(axis=1)
    timed_calibrated = calibrator.transform(timed[timed_rows])
    timed_labels = train["label"].to_numpy()[timed_rows]
    report_policy = choose_policy(
        pd.Series(timed_labels), probabilities(timed_calibrated), **policy_args
    )

    # Unweighted on purpose (see ml.dataset): every reviewed account informs the boundary.
    booster = fit(best_params, x, y, best_iteration, None)
    model = AccountModel(
        booster=booster, calibrator=calibrator, typical_person=typical_person(train)
    )

    # The newest reviews: everything reported about the model is measured here.
    raw_test = model.predict_raw(test)
    proba_test = calibrator.transform(raw_test)
    labels_test = test["label"].to_numpy()
    sources_test = test["source"].to_numpy() if "source" in test else None
    metrics = evaluate_heldout(
        labels_test, proba_test, report_policy, sources=sources_test, weights=w_test
    )
    # Every label: the newest reviews, scored by the final model (fitted on all older
    # reviews), are the last forward fold; the model acts with thresholds chosen on them
    # together with the older reviews' time-aware scores.
    all_labels = np.concatenate([timed_labels, labels_test])
    all_scores = probabilities(np.vstack([timed_calibrated, proba_test]))
    policy = choose_policy(pd.Series(all_labels), all_scores, **policy_args)
    managed_test = probabilities(proba_test)["score_ai_managed"].to_numpy()
    metrics.update(_policy_figures("old_policy", old_policy, labels_test, managed_test))
    metrics.update(_policy_figures("report_policy", report_policy, labels_test, managed_test))
    needed = flagged_needed(
        policy.terminate_heldout_precision, terminate_precision * (1 - label_noise)
    )
    people_n, people_k, people_upper = people_flagged_upper_per_10k(
        all_labels, all_scores["score_ai_managed"].to_numpy(), policy.terminate_threshold
    )
    metrics.update(
        {
            "threshold_reviews": len(all_labels),
            "threshold_reviews_ai_managed": int((all_labels == "ai_managed").sum()),
            "deployed_policy_terminate_threshold": policy.terminate_threshold,
            # the lowest cut keeping precision, and the lowest verdicts set aside above it
            "deployed_policy_terminate_threshold_lowest": policy.terminate_threshold_lowest,
            "deployed_policy_terminate_set_aside": policy.terminate_set_aside,
            "deployed_policy_terminate_others_set_aside": policy.terminate_others_set_aside,
            # the bar of the one sample, before it was raised to hold in most resamples
            "deployed_policy_terminate_threshold_sample": policy.terminate_threshold_sample,
            "deployed_policy_terminate_bar_confidence": policy.terminate_bar_confidence,
            "deployed_policy_oof_precision": policy.terminate_heldout_precision,
            "deployed_policy_oof_precision_lower": policy.terminate_precision_lower,
            "deployed_policy_oof_recall": policy.terminate_heldout_recall,
            "deployed_policy_oof_flagged": policy.terminate_heldout_support,
            # how many flagged reviews the measured precision needs before its 95 % lower
            # bound clears the target (-1: never, the measured precision is below it)
            "deployed_policy_flagged_needed": -1 if needed is None else needed,
            # harm is a rate among people: its bound rests on the number of people reviewed
            "deployed_policy_people_reviewed": people_n,
            "deployed_policy_people_flagged": people_k,
            "deployed_policy_people_terminated_per_10k_upper": people_upper,
        }
    )
    metrics.update(
        {
            "brier_uncalibrated": brier(raw_test, labels_test, w_test),
            "brier_calibrated": brier(proba_test, labels_test, w_test),
            "best_iteration": best_iteration,
            "cv_multi_logloss": cv_loss,
            "cv_folds": n_folds,
            "search_trials": len(trials),
            "terminate_threshold": policy.terminate_threshold,
            "warn_threshold": policy.warn_threshold,
            "review_managed_threshold": policy.review_managed_threshold,
            "review_any_ai_threshold": policy.review_any_ai_threshold,
            "oof_terminate_precision": policy.terminate_heldout_precision,
            "oof_terminate_precision_lower": policy.terminate_precision_lower,
            "oof_terminate_recall": policy.terminate_heldout_recall,
        }
    )
    metrics["brier_improvement"] = metrics["brier_uncalibrated"] - metrics["brier_calibrated"]
    if sources_test is not None and (sources_test == "random_sample").any():
        audit = sources_test == "random_sample"
        metrics["brier_uncalibrated_random_sample"] = brier(raw_test[audit], labels_test[audit])
        metrics["brier_calibrated_random_sample"] = brier(proba_test[audit], labels_test[audit])
    metrics.update(
        {
            f"cv_{k}": v
            for k, v in class_metrics(train["label"], oof_calibrated, w_train).items()
            if k.startswith("pr_auc_")
        }
    )

    keep = [
        c for c in ("account_id", "label", "source", "reviewed_at", "feature_date") if c in test
    ]
    heldout = pd.concat(
        [
            test.loc[:, keep].reset_index(drop=True),
            pd.DataFrame({"weight": w_test}),
            probabilities(proba_test),
            probabilities(raw_test).add_prefix("raw_"),
        ],
        axis=1,
    )
    importance = pd.DataFrame(
        {
            "feature": list(FEATURES),
            "gain": booster.feature_importance("gain"),
            "splits": booster.feature_importance("split"),
        }
    ).sort_values("gain", ascending=False, ignore_index=True)
    return TrainResult(
        model=model,
        params=best_params,
        metrics=metrics,
        policy=policy,
        confusion=confusion(labels_test, proba_test),
        importance=importance,
        heldout=heldout,
        test=test,
        dataset_fingerprint=fingerprint(training),
        n_train=len(train),
        n_test=len(test),
        trials=trials,
        class_weights=class_weights,
        test_cutoff=str(split.cutoff),
        extra={"train_frame": train, "fit_backend": getattr(fit, "backend_name", "local")},
    )
