"""Score accounts with a trained model.

Grain of the output: one row per account of the feature frame.
"""

from __future__ import annotations

import lightgbm as lgb
import numpy as np
import pandas as pd

from ml.features import CLASSES, feature_matrix


def probabilities(proba: np.ndarray) -> pd.DataFrame:
    """Model output (n x classes) as named ``score_<class>`` columns."""
    return pd.DataFrame(proba, columns=[f"score_{c}" for c in CLASSES])


def score_accounts(features: pd.DataFrame, booster: lgb.Booster) -> pd.DataFrame:
    """``account_id`` plus ``score_human``, ``score_ai_assisted``, ``score_ai_managed``."""
    proba = booster.predict(feature_matrix(features))
    scores = probabilities(np.asarray(proba).reshape(len(features), len(CLASSES)))
    scores.insert(0, "account_id", features["account_id"].to_numpy())
    return scores
