"""The training set: point-in-time rows, a split by time, and population weights.

Grain: one row per reviewed account, labelled with its latest verdict, carrying the
features of the newest ``account_features`` snapshot taken *before* the day of that
review (``feature_date < reviewed_at``'s date): what the platform knew when the
moderator looked, never what the account did afterwards. An account whose review
predates every snapshot is left out rather than given later features. The SQL is
``orchestration/model/sql/training_set.sql``; this module only needs the frame.

Label noise. Verdicts are wrong a few percent of the time. The latest verdict is the
label, so an appeal that overturned a verdict corrects it; what noise remains is
handled by (1) regularised trees that cannot chase single rows (``min_data_in_leaf``),
(2) calibration fitted on out-of-fold rows, and (3) a precision target for ``terminate``
scaled by the labels' accuracy (:mod:`ml.policy`).

User-report bias. User reports pick out suspicious accounts, so the reviewed set holds
far more automation than the platform does, and precision measured on it flatters the
model. The random audit sample (``source = 'random_sample'``) is the unbiased view:
:func:`population_weights` gives every reviewed account the weight
``share of its verdict in the random sample / share in all reviews`` (a label-shift
correction), used for calibration, for the policy's precision and for the headline
metrics, so they describe the platform's population; per-source metrics and the
estimate of wrongly terminated people are also computed on the random sample alone.
The model itself is fitted unweighted: every reviewed account informs the boundary.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ml.features import CLASSES, FEATURES

RANDOM_SAMPLE = "random_sample"
MIN_RANDOM_SAMPLE = 30  # fewer audited accounts than this: no reweighting (weights 1)
WEIGHT_CLIP = (0.1, 10.0)


@dataclass
class Split:
    """Older reviews to learn from, the newest reviews to judge by."""

    train: pd.DataFrame
    test: pd.DataFrame
    cutoff: pd.Timestamp  # test = reviews at or after this instant


def fingerprint(training: pd.DataFrame) -> str:
    """A stable hash of the training rows (ids, labels, features), logged with the model."""
    cols = ["account_id", "label", *[c for c in ("feature_date", "reviewed_at") if c in training], *FEATURES]
    frame = training.loc[:, cols].sort_values("account_id")
    hashed = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    return hashlib.sha256(hashed.tobytes()).hexdigest()[:16]


def validate(training: pd.DataFrame) -> None:
    if "label" not in training.columns:
        raise ValueError("training frame needs a 'label' column (the latest review verdict)")
    unknown = sorted(set(training["label"]) - set(CLASSES))
    if unknown:
        raise ValueError(f"unknown labels {unknown}; expected {CLASSES}")
    counts = training["label"].value_counts()
    if len(counts) < len(CLASSES) or counts.min() < 10:
        raise ValueError(f"too few reviewed accounts per class to train: {counts.to_dict()}")


def time_split(training: pd.DataFrame, test_size: float = 0.25) -> Split:
    """Train on the older reviews, test on the newest ``test_size`` share (by review time).

    Without ``reviewed_at`` (hand-made frames) the row order stands in for time.
    """
    frame = training.reset_index(drop=True)
    if "reviewed_at" in frame:
        when = pd.to_datetime(frame["reviewed_at"], utc=True)
    else:
        when = pd.Series(pd.to_datetime(np.arange(len(frame)), unit="s", utc=True))
    order = np.argsort(when.to_numpy(), kind="stable")
    n_test = max(1, int(round(test_size * len(frame))))
    cutoff = when.iloc[order[len(frame) - n_test]]
    is_test = (when >= cutoff).to_numpy()
    train, test = frame[~is_test].reset_index(drop=True), frame[is_test].reset_index(drop=True)
    for name, part in (("train", train), ("test", test)):
        missing = set(CLASSES) - set(part["label"])
        if missing:
            raise ValueError(f"the {name} part of the time split has no {sorted(missing)} verdicts")
    return Split(train=train, test=test, cutoff=cutoff)


def population_weights(labels: pd.Series, sources: pd.Series | None) -> tuple[np.ndarray, dict[str, float]]:
    """Per-row weights that make the reviewed set's class mix match the random sample's.

    Returns the weights and the per-class weight (for the record). With too small a
    random sample (or none), every weight is 1 and the metrics describe reviewed accounts.
    """
    labels = pd.Series(np.asarray(labels))
    ones = np.ones(len(labels))
    if sources is None:
        return ones, {c: 1.0 for c in CLASSES}
    sources = pd.Series(np.asarray(sources))
    audited = labels[sources == RANDOM_SAMPLE]
    if len(audited) < MIN_RANDOM_SAMPLE:
        return ones, {c: 1.0 for c in CLASSES}
    population = audited.value_counts(normalize=True)
    reviewed = labels.value_counts(normalize=True)
    per_class = {}
    for c in CLASSES:
        # A class the audit never found is rare, not absent: count it as half an account.
        pop = population.get(c, 0.5 / len(audited))
        per_class[c] = float(np.clip(pop / reviewed.get(c, 1.0), *WEIGHT_CLIP))
    return labels.map(per_class).to_numpy(dtype="float64"), per_class
