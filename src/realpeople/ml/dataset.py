"""The training set: point-in-time rows, a split by time, and population weights.

Grain: one row per reviewed account, labelled with its latest verdict, carrying the
features of the newest ``account_features`` snapshot taken *before* the day of that
review (``feature_date < reviewed_at``'s date): what the platform knew when the
moderator looked, never what the account did afterwards. An account whose review
predates every snapshot is left out rather than given later features. The SQL is
``src/realpeople/defs/model/sql/training_set.sql``; this module only needs the frame.

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
from datetime import date, timedelta

import numpy as np
import pandas as pd

from realpeople.ml.features import CLASSES, FEATURES

RANDOM_SAMPLE = "random_sample"
# The least a model is trained on: every class reviewed at least this often (the policy
# measures precision against people and recall of automation; a class with a handful of
# reviews gives neither), and this many reviewed accounts in all.
MIN_REVIEWS_PER_CLASS = 10
MIN_TRAINING_ROWS = 100
# Cross-validation needs this many older reviews of each class (two folds).
MIN_TRAIN_PART_PER_CLASS = 2
MIN_RANDOM_SAMPLE = 30  # fewer audited accounts than this: no reweighting (weights 1)
WEIGHT_CLIP = (0.1, 10.0)
# Like for like: a review is trained on only from a snapshot holding at least this many
# days of history (or half the scored snapshot's history, when that is shorter).
MIN_TRAINING_HISTORY_DAYS = 7


def earliest_training_snapshot(
    first_day: date,
    as_of: date,
    window_days: int,
    min_history_days: int = MIN_TRAINING_HISTORY_DAYS,
) -> date:
    """The earliest ``account_features`` snapshot date a review may be trained on, for a
    model that scores the snapshot of ``as_of`` (data begin on ``first_day``).

    Many features grow with the history they are measured over (active days, steadiness
    across days, distinct devices, shared texts). A snapshot of a world's first day holds
    one day; the snapshot the model scores holds up to the whole window. Trained on the
    first and applied to the second, the model meets values it never saw for its classes:
    on the 14-day demo world, reviews joined to one-day snapshots took terminate recall
    from 0.93 to 0.75 (stealth automation from 0.91 to 0.02). So a snapshot counts for
    training only once it holds ``min_history_days`` of history, or half of the scored
    snapshot's history when the data are younger than twice that (a short world still
    trains: an 8-day world trains from its 4th day on). Reviews before that date still act
    as moderator decisions; they just do not teach the model.
    """
    scored_history = max(1, min(window_days, (as_of - first_day).days + 1))
    needed = min(min_history_days, -(-scored_history // 2))
    return first_day + timedelta(days=needed - 1)


@dataclass
class Split:
    """Older reviews to learn from, the newest reviews to judge by."""

    train: pd.DataFrame
    test: pd.DataFrame
    cutoff: pd.Timestamp  # test = reviews at or after this instant


def fingerprint(training: pd.DataFrame) -> str:
    """A stable hash of the training rows (ids, labels, features), logged with the model."""
    cols = [
        "account_id",
        "label",
        *[c for c in ("feature_date", "reviewed_at") if c in training],
        *FEATURES,
    ]
    frame = training.loc[:, cols].sort_values("account_id")
    hashed = pd.util.hash_pandas_object(frame, index=False).to_numpy()
    return hashlib.sha256(hashed.tobytes()).hexdigest()[:16]


@dataclass(frozen=True)
class Shortfall:
    """What a training set lacks before a model may be trained on it.

    ``needed``: per class, how many more reviewed accounts (with point-in-time features)
    training needs; ``needed_any``: how many more of any class; ``reasons``: the same in
    words. Empty everywhere when the set suffices.
    """

    counts: dict[str, int]
    needed: dict[str, int]
    needed_any: int
    reasons: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.reasons

    def message(self) -> str:
        have = ", ".join(f"{c} {self.counts.get(c, 0)}" for c in CLASSES)
        return f"no model acts yet: reviewed accounts with features {have}; " + "; ".join(
            self.reasons
        )


class NotEnoughReviews(ValueError):
    """Training refused: too few reviews (see :class:`Shortfall`). A designed state, not a
    failure: the pipeline then acts on moderators' verdicts only."""

    def __init__(self, shortfall: Shortfall):
        super().__init__(shortfall.message())
        self.shortfall = shortfall


def training_shortfall(training: pd.DataFrame, test_size: float = 0.25) -> Shortfall:
    """Whether ``training`` (one row per reviewed account, ``label``) can train a model,
    and if not, how many more reviews of which class it needs.

    Two classes reviewed are not enough: with no people reviewed, the precision of
    ``terminate`` cannot be measured; with no automation, there is no terminate tier;
    with no AI-assisted verdicts, the warn tier and P(human) conflate them (see
    docs/models.md, "Too few reviews").
    """
    labels = training["label"] if "label" in training else pd.Series(dtype=object)
    counts = {c: int((labels == c).sum()) for c in CLASSES}
    needed = {c: max(0, MIN_REVIEWS_PER_CLASS - counts[c]) for c in CLASSES}
    needed_any = max(0, MIN_TRAINING_ROWS - len(training) - sum(needed.values()))
    reasons = [f"needs {n} more reviewed {c} account(s)" for c, n in needed.items() if n]
    if needed_any:
        reasons.append(
            f"needs {needed_any} more reviewed account(s) of any class "
            f"(at least {MIN_TRAINING_ROWS} in all)"
        )
    if not reasons:
        # The time split must leave every class on both sides (the newest reviews judge
        # the model; the older ones train and cross-validate it).
        split = _split_parts(training, test_size)
        for c in CLASSES:
            in_test = int((split[1]["label"] == c).sum())
            in_train = int((split[0]["label"] == c).sum())
            if in_test == 0:
                needed[c] = max(needed[c], 1)
                reasons.append(
                    f"needs a recent reviewed {c} account (none among the newest "
                    f"{test_size:.0%} of reviews, which test the model)"
                )
            if in_train < MIN_TRAIN_PART_PER_CLASS:
                needed[c] = max(needed[c], MIN_TRAIN_PART_PER_CLASS - in_train)
                reasons.append(
                    f"needs {MIN_TRAIN_PART_PER_CLASS - in_train} more older reviewed "
                    f"{c} account(s) (cross-validation)"
                )
    return Shortfall(counts=counts, needed=needed, needed_any=needed_any, reasons=tuple(reasons))


def validate(training: pd.DataFrame) -> None:
    """Raise ``ValueError`` for a malformed frame, :class:`NotEnoughReviews` for too few rows."""
    if "label" not in training.columns:
        raise ValueError("training frame needs a 'label' column (the latest review verdict)")
    unknown = sorted(set(training["label"]) - set(CLASSES))
    if unknown:
        raise ValueError(f"unknown labels {unknown}; expected {CLASSES}")
    shortfall = training_shortfall(training)
    if not shortfall.ok:
        raise NotEnoughReviews(shortfall)


def _split_parts(
    training: pd.DataFrame, test_size: float
) -> tuple[pd.DataFrame, pd.DataFrame, pd.Timestamp]:
    frame = training.reset_index(drop=True)
    if "reviewed_at" in frame:
        when = pd.to_datetime(frame["reviewed_at"], utc=True)
    else:
        when = pd.Series(pd.to_datetime(np.arange(len(frame)), unit="s", utc=True))
    order = np.argsort(when.to_numpy(), kind="stable")
    n_test = max(1, round(test_size * len(frame)))
    cutoff = when.iloc[order[len(frame) - n_test]]
    is_test = (when >= cutoff).to_numpy()
    return frame[~is_test].reset_index(drop=True), frame[is_test].reset_index(drop=True), cutoff


def time_split(training: pd.DataFrame, test_size: float = 0.25) -> Split:
    """Train on the older reviews, test on the newest ``test_size`` share (by review time).

    Without ``reviewed_at`` (hand-made frames) the row order stands in for time.
    """
    train, test, cutoff = _split_parts(training, test_size)
    for name, part in (("train", train), ("test", test)):
        missing = set(CLASSES) - set(part["label"])
        if missing:
            raise ValueError(f"the {name} part of the time split has no {sorted(missing)} verdicts")
    return Split(train=train, test=test, cutoff=cutoff)


def population_weights(
    labels: pd.Series, sources: pd.Series | None
) -> tuple[np.ndarray, dict[str, float]]:
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
