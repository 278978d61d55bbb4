"""Train the account-authenticity model: LightGBM multiclass on reviewed accounts.

Grain of the training set: one row per reviewed account, its features as of the
training date and its latest review verdict as the label.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

from ml.evaluate import class_metrics, confusion
from ml.features import CLASSES, FEATURES, feature_matrix
from ml.policy import Policy, choose_policy
from ml.score import probabilities

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
MAX_ROUNDS = 600
EARLY_STOPPING_ROUNDS = 40


@dataclass
class TrainResult:
    """A trained booster and what was measured about it on held-out reviews."""

    booster: lgb.Booster
    params: dict
    metrics: dict[str, float]
    policy: Policy
    confusion: pd.DataFrame
    importance: pd.DataFrame
    heldout: pd.DataFrame  # account_id, label, source, score_* of the held-out rows
    dataset_fingerprint: str
    n_train: int
    n_test: int
    extra: dict = field(default_factory=dict)


def fingerprint(training: pd.DataFrame) -> str:
    """A stable hash of the training rows (ids, labels, features), logged with the model."""
    frame = training.loc[:, ["account_id", "label", *FEATURES]].sort_values("account_id")
    hashed = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    return hashlib.sha256(hashed.tobytes()).hexdigest()[:16]


def train_model(
    training: pd.DataFrame, *, seed: int = 0, test_size: float = 0.25,
    params: dict | None = None, terminate_precision: float = 0.99, label_noise: float = 0.02,
) -> TrainResult:
    """Train on ``training`` (features + ``label`` + optional ``source``) and evaluate.

    Held-out data: a stratified ``test_size`` share of the reviewed accounts, never seen
    in training or early stopping; the policy thresholds are chosen on it.
    """
    if "label" not in training.columns:
        raise ValueError("training frame needs a 'label' column (the latest review verdict)")
    unknown = sorted(set(training["label"]) - set(CLASSES))
    if unknown:
        raise ValueError(f"unknown labels {unknown}; expected {CLASSES}")
    counts = training["label"].value_counts()
    if len(counts) < len(CLASSES) or counts.min() < 4:
        raise ValueError(f"too few reviewed accounts per class to train: {counts.to_dict()}")

    params = {**DEFAULT_PARAMS, **(params or {}), "seed": seed}
    y = training["label"].map({c: i for i, c in enumerate(CLASSES)}).to_numpy()
    train_idx, test_idx = train_test_split(
        np.arange(len(training)), test_size=test_size, stratify=y, random_state=seed)
    fit_idx, stop_idx = train_test_split(
        train_idx, test_size=0.15, stratify=y[train_idx], random_state=seed + 1)

    x = feature_matrix(training)
    fit = lgb.Dataset(x.iloc[fit_idx], label=y[fit_idx], free_raw_data=False)
    stop = lgb.Dataset(x.iloc[stop_idx], label=y[stop_idx], reference=fit)
    booster = lgb.train(
        params, fit, num_boost_round=MAX_ROUNDS, valid_sets=[stop],
        callbacks=[lgb.early_stopping(EARLY_STOPPING_ROUNDS, verbose=False)])

    test = training.iloc[test_idx]
    proba = booster.predict(x.iloc[test_idx], num_iteration=booster.best_iteration)
    scores = probabilities(proba)
    policy = choose_policy(test["label"], scores, terminate_precision=terminate_precision,
                           label_noise=label_noise)
    metrics = class_metrics(test["label"], proba)
    metrics.update({
        "best_iteration": booster.best_iteration,
        "terminate_threshold": policy.terminate_threshold,
        "terminate_heldout_precision": policy.terminate_heldout_precision,
        "terminate_heldout_recall": policy.terminate_heldout_recall,
        "warn_threshold": policy.warn_threshold,
        "warn_heldout_precision": policy.warn_heldout_precision,
        "warn_heldout_recall": policy.warn_heldout_recall,
    })
    heldout = pd.concat(
        [test.loc[:, [c for c in ("account_id", "label", "source") if c in test.columns]]
         .reset_index(drop=True), scores.reset_index(drop=True)], axis=1)
    importance = pd.DataFrame({
        "feature": list(FEATURES),
        "gain": booster.feature_importance("gain"),
        "splits": booster.feature_importance("split"),
    }).sort_values("gain", ascending=False, ignore_index=True)
    return TrainResult(
        booster=booster, params=params, metrics=metrics, policy=policy,
        confusion=confusion(test["label"], proba), importance=importance, heldout=heldout,
        dataset_fingerprint=fingerprint(training), n_train=len(train_idx), n_test=len(test_idx))
