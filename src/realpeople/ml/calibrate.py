"""Calibration: turn the booster's class scores into probabilities one can read as such.

LightGBM trained on reviewed accounts is over-confident, and the reviewed accounts are
richer in automation than the platform (user reports pick them out). The calibrator is
fitted on *out-of-fold* predictions (cross-validation over the training reviews, so no
account is calibrated with a model that saw it) with the population weights of
:mod:`ml.dataset`, so that ``score_ai_managed = 0.9`` means "nine in ten accounts
scored like this, in the platform's population, are run by automation".

Method: Platt scaling per class, on the log-odds of the class score (one-vs-rest,
weighted logistic regression with two parameters), then renormalised so the three
probabilities sum to one. Platt rather than isotonic because a few thousand noisy labels
are too few for a step function at the top of the score range (where the terminate
threshold sits), and because it keeps the model's ranking: a threshold chosen on
calibrated scores cuts the same accounts the raw score would. Isotonic is available
(``method="isotonic"``) for larger label sets.

A calibrator is a small dict of numbers, stored with the registered model version.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from realpeople.ml.features import CLASSES

EPS = 1e-6


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, EPS, 1 - EPS)
    return np.log(p / (1 - p))


@dataclass
class Calibrator:
    """Per-class monotone maps of the raw class probability, then renormalisation."""

    method: str = "platt"
    # platt: class -> [a, b] with p' = sigmoid(a * logit(p) + b)
    # isotonic: class -> {"x": [...], "y": [...]} interpolation knots
    params: dict = field(default_factory=dict)

    def transform(self, raw: np.ndarray) -> np.ndarray:
        raw = np.asarray(raw, dtype="float64").reshape(-1, len(CLASSES))
        if not self.params:
            return raw
        out = np.empty_like(raw)
        for k, cls in enumerate(CLASSES):
            p = self.params[cls]
            if self.method == "platt":
                out[:, k] = 1 / (1 + np.exp(-(p[0] * _logit(raw[:, k]) + p[1])))
            else:
                out[:, k] = np.interp(raw[:, k], p["x"], p["y"])
        out = np.clip(out, EPS, None)
        return out / out.sum(axis=1, keepdims=True)

    def to_dict(self) -> dict:
        return {"method": self.method, "params": self.params}

    @classmethod
    def from_dict(cls, data: dict | None) -> Calibrator:
        if not data:
            return cls(params={})
        return cls(method=data["method"], params=data["params"])


def fit_calibrator(
    raw: np.ndarray, labels: np.ndarray, weights: np.ndarray | None = None, method: str = "platt"
) -> Calibrator:
    """Fit on out-of-fold raw probabilities (n x classes) and their verdicts."""
    from sklearn.isotonic import IsotonicRegression
    from sklearn.linear_model import LogisticRegression

    raw = np.asarray(raw, dtype="float64")
    labels = np.asarray(labels)
    weights = np.ones(len(labels)) if weights is None else np.asarray(weights, dtype="float64")
    params: dict = {}
    for k, cls in enumerate(CLASSES):
        y = (labels == cls).astype(int)
        if y.min() == y.max():  # one class only: nothing to calibrate against
            params[cls] = [1.0, 0.0] if method == "platt" else {"x": [0.0, 1.0], "y": [0.0, 1.0]}
            continue
        if method == "platt":
            lr = LogisticRegression(C=1e4, max_iter=1000)
            lr.fit(_logit(raw[:, k]).reshape(-1, 1), y, sample_weight=weights)
            params[cls] = [float(lr.coef_[0, 0]), float(lr.intercept_[0])]
        elif method == "isotonic":
            iso = IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip")
            iso.fit(raw[:, k], y, sample_weight=weights)
            params[cls] = {
                "x": [float(v) for v in iso.X_thresholds_],
                "y": [float(v) for v in iso.y_thresholds_],
            }
        else:
            raise ValueError(f"unknown calibration method {method!r}")
    return Calibrator(method=method, params=params)


def brier(proba: np.ndarray, labels: np.ndarray, weights: np.ndarray | None = None) -> float:
    """Multiclass Brier score: mean over accounts of the squared error summed over classes."""
    proba = np.asarray(proba, dtype="float64")
    onehot = (np.asarray(labels)[:, None] == np.asarray(CLASSES)[None, :]).astype(float)
    per_row = ((proba - onehot) ** 2).sum(axis=1)
    return float(np.average(per_row, weights=weights))


def reliability(
    score: np.ndarray, is_positive: np.ndarray, weights: np.ndarray | None = None, bins: int = 10
) -> list[tuple[float, float, float]]:
    """(mean predicted, observed share, weight) per equal-width score bin with data."""
    score = np.asarray(score, dtype="float64")
    weights = np.ones(len(score)) if weights is None else np.asarray(weights, dtype="float64")
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(score, edges[1:-1]), 0, bins - 1)
    out = []
    for b in range(bins):
        m = which == b
        if m.any():
            w = weights[m]
            out.append(
                (
                    float(np.average(score[m], weights=w)),
                    float(np.average(np.asarray(is_positive)[m], weights=w)),
                    float(w.sum()),
                )
            )
    return out
