"""Score accounts with a trained model.

Grain of the output: one row per account of the feature frame.

A model is the LightGBM booster plus what was learned about it on held-out data: the
calibrator (so scores are probabilities) and the typical values of people's features
(so reason codes can say "people: 3 %"). :class:`AccountModel` bundles them; a bare
booster still scores (uncalibrated), which keeps older registered versions usable.

Features come as a pandas frame or, on the pipeline's path, as the Arrow table DuckDB
returns (:func:`feature_array` turns either into the n x features float64 matrix
LightGBM reads without another copy); a million accounts never become a 75-column
pandas frame.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import lightgbm as lgb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from realpeople.ml.calibrate import Calibrator
from realpeople.ml.features import CLASSES, FEATURES, FeatureContractError, feature_matrix

# Rows per LightGBM call when scoring a whole run date: bounds the float64 matrix a call
# holds beside the features (200k x 75 x 8 bytes = 120 MB) and lets a progress bar move.
SCORING_BATCH = 200_000


def feature_array(
    features: pa.Table | pd.DataFrame | np.ndarray, names: Sequence[str] = FEATURES
) -> np.ndarray:
    """The features ``names`` (default: the declared ones, in contract order) as a
    C-ordered float64 matrix (NULL -> NaN).

    From an Arrow table each column is converted once, straight into the matrix; a pandas
    frame goes through :func:`feature_matrix` (same checks, same values); a matrix of the
    right width is passed through.
    """
    names = list(names)
    if isinstance(features, np.ndarray):
        if features.ndim != 2 or features.shape[1] != len(names):
            raise FeatureContractError(
                f"a feature matrix needs {len(names)} columns, got shape {features.shape}"
            )
        return np.ascontiguousarray(features, dtype="float64")
    if isinstance(features, pd.DataFrame):
        return np.ascontiguousarray(feature_matrix(features, names).to_numpy(dtype="float64"))
    missing = [c for c in names if c not in features.column_names]
    if missing:
        raise FeatureContractError(
            f"account_features lacks {len(missing)} declared feature(s): {', '.join(missing)}"
        )
    out = np.empty((features.num_rows, len(names)), dtype="float64")
    for j, name in enumerate(names):
        column = features.column(name)
        kind = column.type
        if not (
            pa.types.is_integer(kind)
            or pa.types.is_floating(kind)
            or pa.types.is_boolean(kind)
            or pa.types.is_decimal(kind)
            or pa.types.is_null(kind)
        ):
            raise FeatureContractError(f"features must be numeric: {name} is {kind}")
        as_float = pc.cast(column, pa.float64())
        out[:, j] = (
            pc.fill_null(as_float, np.nan).to_numpy()
            if as_float.null_count
            else (as_float.to_numpy())
        )
    return out


def class_booster(booster: lgb.Booster, cls: str) -> lgb.Booster:
    """A one-output booster holding only the trees of class ``cls`` of a multiclass booster.

    A multiclass booster grows one tree per class and iteration; the class's raw score is
    the sum of its own trees, so this booster's raw output, and its TreeSHAP contributions,
    equal that class's block of the full booster's (bit for bit: the same trees added in
    the same order). ``pred_contrib`` on the full booster computes every class's block;
    reasons need one, so explaining through this costs a third.
    """
    k = CLASSES.index(cls)
    per_iteration = booster.num_model_per_iteration()
    if per_iteration == 1:
        return booster
    text = booster.model_to_string()
    trees, tail = text.split("end of trees", 1)
    head, *chunks = re.split(r"^Tree=\d+\n", trees, flags=re.MULTILINE)
    head = re.sub(r"^num_class=\d+$", "num_class=1", head, flags=re.MULTILINE)
    head = re.sub(
        r"^num_tree_per_iteration=\d+$", "num_tree_per_iteration=1", head, flags=re.MULTILINE
    )
    # a raw score needs no output transform; per-tree sizes no longer match: LightGBM
    # then parses the trees one after the other
    head = re.sub(r"^objective=.*$", "objective=regression", head, flags=re.MULTILINE)
    head = re.sub(r"^tree_sizes=.*\n", "", head, flags=re.MULTILINE)
    own = chunks[k::per_iteration]
    body = "".join(f"Tree={i}\n{chunk}" for i, chunk in enumerate(own))
    return lgb.Booster(model_str=head + body + "end of trees" + tail)


@dataclass
class AccountModel:
    booster: lgb.Booster
    calibrator: Calibrator = field(default_factory=Calibrator)
    # feature -> median among accounts whose verdict was ``human`` (training reviews)
    typical_person: dict[str, float] = field(default_factory=dict)
    # class -> its one-output booster (class_booster), built on first use
    _class_boosters: dict[str, lgb.Booster] = field(default_factory=dict, repr=False)

    def predict_raw(self, features, num_threads: int | None = None) -> np.ndarray:
        """The booster's class probabilities (n x classes), uncalibrated. Over the
        booster's own feature list: a version trained before a feature was added still
        scores."""
        x = feature_array(features, self.booster.feature_name())
        extra = {} if num_threads is None else {"num_threads": num_threads}
        proba = self.booster.predict(x, **extra)
        return np.asarray(proba).reshape(len(x), len(CLASSES))

    def predict(self, features, num_threads: int | None = None) -> np.ndarray:
        """Calibrated class probabilities (n x classes, in ``CLASSES`` order)."""
        return self.calibrator.transform(self.predict_raw(features, num_threads))

    def class_booster(self, cls: str) -> lgb.Booster:
        if cls not in self._class_boosters:
            self._class_boosters[cls] = class_booster(self.booster, cls)
        return self._class_boosters[cls]


def as_model(model: AccountModel | lgb.Booster) -> AccountModel:
    return model if isinstance(model, AccountModel) else AccountModel(booster=model)


def probabilities(proba: np.ndarray) -> pd.DataFrame:
    """Model output (n x classes) as named ``score_<class>`` columns."""
    return pd.DataFrame(
        np.asarray(proba).reshape(-1, len(CLASSES)), columns=[f"score_{c}" for c in CLASSES]
    )


def score_accounts(features: pd.DataFrame, model: AccountModel | lgb.Booster) -> pd.DataFrame:
    """``account_id`` plus ``score_human``, ``score_ai_assisted``, ``score_ai_managed``."""
    scores = probabilities(as_model(model).predict(features))
    scores.insert(0, "account_id", features["account_id"].to_numpy())
    return scores


def score_batches(
    x: np.ndarray,
    model: AccountModel,
    num_threads: int | None = None,
    batch_rows: int = SCORING_BATCH,
    advance=None,
) -> np.ndarray:
    """Calibrated probabilities of a feature matrix (n x classes), ``batch_rows`` at a
    time (the same values as one call: LightGBM scores rows independently);
    ``advance(rows)`` after each batch (a progress bar)."""
    out = np.empty((len(x), len(CLASSES)), dtype="float64")
    for start in range(0, len(x), batch_rows):
        part = x[start : start + batch_rows]
        out[start : start + len(part)] = model.predict(part, num_threads)
        if advance is not None:
            advance(len(part))
    return out


def scores_table(
    features: pa.Table, scores: pd.DataFrame, run_date: str, model_name: str, model_version: str
) -> pa.Table:
    """The run date's ``account_scores`` rows as Arrow (what DuckDB inserts without a pandas
    round trip): the account ids as the features carried them, the scores, the proposed
    action and the reasons (typed strings even when all are empty)."""
    n = features.num_rows
    columns = {
        "run_date": pa.array(np.full(n, np.datetime64(run_date, "D"))),
        "account_id": features.column("account_id"),
        **{f"score_{c}": pa.array(scores[f"score_{c}"].to_numpy(dtype="float64")) for c in CLASSES},
        "proposed_action": pa.array(scores["proposed_action"].to_numpy(), pa.string()),
        "reasons": pa.array(scores["reasons"].to_numpy(), pa.string()),
        "model_name": pa.array(np.full(n, model_name, dtype=object), pa.string()),
        "model_version": pa.array(np.full(n, str(model_version), dtype=object), pa.string()),
    }
    return pa.table(columns)
