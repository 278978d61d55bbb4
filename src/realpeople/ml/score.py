"""Score accounts with a trained model.

Grain of the output: one row per account of the feature frame.

A model is the LightGBM booster plus what was learned about it on held-out data: the
calibrator (so scores are probabilities) and the typical values of people's features
(so reason codes can say "people: 3 %"). :class:`AccountModel` bundles them; a bare
booster still scores (uncalibrated), which keeps older registered versions usable.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import lightgbm as lgb
import numpy as np
import pandas as pd

from realpeople.ml.calibrate import Calibrator
from realpeople.ml.features import CLASSES, feature_matrix


@dataclass
class AccountModel:
    booster: lgb.Booster
    calibrator: Calibrator = field(default_factory=Calibrator)
    # feature -> median among accounts whose verdict was ``human`` (training reviews)
    typical_person: dict[str, float] = field(default_factory=dict)

    def predict_raw(self, features: pd.DataFrame) -> np.ndarray:
        # the booster's own feature list: a version trained before a feature was added
        # still scores
        proba = self.booster.predict(feature_matrix(features, self.booster.feature_name()))
        return np.asarray(proba).reshape(len(features), len(CLASSES))

    def predict(self, features: pd.DataFrame) -> np.ndarray:
        """Calibrated class probabilities (n x classes, in ``CLASSES`` order)."""
        return self.calibrator.transform(self.predict_raw(features))


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
