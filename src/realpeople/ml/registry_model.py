"""The model as the MLflow registry holds it: one ``pyfunc`` that scores and acts as published.

Grain of ``predict``'s output: one row per row of the input frame (an account's features
as of a run date), in the input's order.

A registered version bundles everything that turns features into what the pipeline
publishes: the LightGBM booster, the calibrator fitted on out-of-fold scores, the typical
person's feature values (for reason codes) and the policy's thresholds. So

    mlflow.pyfunc.load_model("models:/account_authenticity@champion").predict(features)

returns the calibrated ``score_<class>`` columns the pipeline publishes, and with
``params={"with_action": True}`` also the action the policy proposes (``terminate``,
``warn_and_limit``, ``review`` or None). The pipeline scores through the same object
(:func:`realpeople.ml.tracking.load_model` unwraps it), so there is one scoring path.
"""

from __future__ import annotations

import json
from pathlib import Path

import lightgbm as lgb
import mlflow.pyfunc
import pandas as pd

from realpeople.ml.calibrate import Calibrator
from realpeople.ml.features import FEATURES
from realpeople.ml.policy import Policy, decide_actions
from realpeople.ml.score import AccountModel, probabilities

BOOSTER_ARTIFACT = "booster"
BUNDLE_ARTIFACT = "bundle"


class AccountAuthenticityModel(mlflow.pyfunc.PythonModel):
    """Booster + calibrator + typical person + policy, loaded from the version's artifacts."""

    account_model: AccountModel
    policy: Policy

    def load_context(self, context) -> None:
        booster = lgb.Booster(model_file=context.artifacts[BOOSTER_ARTIFACT])
        bundle = json.loads(Path(context.artifacts[BUNDLE_ARTIFACT]).read_text())
        self.account_model = AccountModel(
            booster=booster,
            calibrator=Calibrator.from_dict(bundle["calibrator"]),
            typical_person=bundle["typical_person"],
        )
        self.policy = Policy.from_dict(bundle["policy"])

    def predict(
        self, context, model_input: pd.DataFrame, params: dict | None = None
    ) -> pd.DataFrame:
        """Calibrated ``score_<class>`` per row; with ``with_action``, the proposed action too."""
        frame = model_input.loc[:, list(FEATURES)]
        scores = probabilities(self.account_model.predict(frame))
        if (params or {}).get("with_action"):
            scores["proposed_action"] = decide_actions(scores, self.policy).to_numpy()
        scores.index = model_input.index
        return scores


def write_artifacts(model: AccountModel, policy: Policy, folder: Path) -> dict[str, str]:
    """The files a version is logged from: the booster as LightGBM text, the rest as JSON."""
    folder.mkdir(parents=True, exist_ok=True)
    booster_path = folder / "booster.txt"
    model.booster.save_model(str(booster_path))
    bundle_path = folder / "bundle.json"
    bundle_path.write_text(
        json.dumps(
            {
                "calibrator": model.calibrator.to_dict(),
                "typical_person": model.typical_person,
                "policy": policy.to_dict(),
            },
            indent=2,
        )
    )
    return {BOOSTER_ARTIFACT: str(booster_path), BUNDLE_ARTIFACT: str(bundle_path)}
