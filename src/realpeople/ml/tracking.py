"""MLflow: log a training run, register the model, and load the champion back.

Experiment per model name; one run per training, with the search as nested child runs,
the training and test sets as dataset inputs (digest = fingerprint, size), every held-out
figure as a metric, and the evaluation artifacts (PR curves, confusion matrix,
calibration plot, feature importance, SHAP summary, model card). The registered version
is a ``pyfunc`` (:mod:`realpeople.ml.registry_model`) bundling booster, calibrator,
typical person and policy, so a version scores and acts exactly as it was evaluated,
whoever loads it; its policy thresholds are also version tags, its held-out figures are
metrics of the logged model, and its model card is the version's description. A new version gets the ``challenger`` alias; the promotion gate
(:mod:`ml.promotion`) moves ``champion`` to it only if it is better. Scoring always uses
``champion``.
"""

from __future__ import annotations

import json
import math
import tempfile
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import pandas as pd

from realpeople.ml.features import CLASSES, FEATURES
from realpeople.ml.policy import Policy
from realpeople.ml.promotion import GateDecision, decide, gate_score
from realpeople.ml.registry_model import AccountAuthenticityModel, write_artifacts
from realpeople.ml.score import AccountModel
from realpeople.ml.train import TrainResult

CHAMPION = "champion"
CHALLENGER = "challenger"
POLICY_TAG_PREFIX = "policy."
# Explicit requirements: inferring them starts a subprocess that costs ~16 s.
PIP_REQUIREMENTS = [
    f"{pkg}=={version(pkg)}" for pkg in ("lightgbm", "numpy", "pandas", "scikit-learn")
]


@dataclass(frozen=True)
class RegisteredModel:
    name: str
    version: str
    run_id: str
    policy: Policy
    decision: GateDecision | None = None

    @property
    def scoring_id(self) -> str:
        """What scores depend on: the version and the policy it acts with (its registered
        tags, which an ML engineer may edit): ``<version>/<hash of the policy>``."""
        import hashlib
        import json
        from dataclasses import asdict

        policy = json.dumps(asdict(self.policy), sort_keys=True, default=str)
        return f"{self.version}/{hashlib.sha256(policy.encode()).hexdigest()[:12]}"


def configure(tracking_uri: str, artifact_root: Path, experiment: str) -> str:
    """Point MLflow at the store, create the experiment (artifacts under ``artifact_root``)."""
    import mlflow

    mlflow.set_tracking_uri(tracking_uri)
    # The SQLite store is created on first use; its folder must exist.
    if tracking_uri.startswith("sqlite:///"):
        Path(tracking_uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    found = mlflow.get_experiment_by_name(experiment)
    if found is None:
        artifact_root = Path(artifact_root)
        artifact_root.mkdir(parents=True, exist_ok=True)
        experiment_id = mlflow.create_experiment(
            experiment, artifact_location=(artifact_root / experiment).resolve().as_uri()
        )
    else:
        experiment_id = found.experiment_id
    mlflow.set_experiment(experiment_id=experiment_id)
    return experiment_id


def _artifacts(result: TrainResult, folder: Path) -> list[Path]:
    from realpeople.ml import plots
    from realpeople.ml.explain import contributions

    target = result.policy.terminate_precision_target * (1 - result.policy.label_noise)
    sample = result.test.head(2000)
    paths = [
        plots.confusion_plot(result.confusion, folder / "confusion_matrix.png"),
        plots.pr_curves_plot(result.heldout, target, folder / "pr_curves.png"),
        plots.calibration_plot(result.heldout, result.metrics, folder / "calibration.png"),
        plots.importance_plot(result.importance, folder / "feature_importance.png"),
        plots.shap_summary_plot(
            contributions(sample, result.model, "ai_managed"),
            sample.loc[:, list(FEATURES)],
            folder / "shap_summary.png",
        ),
    ]
    result.confusion.to_csv(folder / "confusion_matrix.csv")
    result.importance.to_csv(folder / "feature_importance.csv", index=False)
    result.heldout.to_csv(folder / "heldout_scores.csv", index=False)
    (folder / "policy.json").write_text(json.dumps(result.policy.to_dict(), indent=2))
    (folder / "calibration.json").write_text(
        json.dumps(result.model.calibrator.to_dict(), indent=2)
    )
    return [
        *paths,
        folder / "confusion_matrix.csv",
        folder / "feature_importance.csv",
        folder / "heldout_scores.csv",
        folder / "policy.json",
        folder / "calibration.json",
    ]


def _log_trials(result: TrainResult) -> None:
    """The hyperparameter search, one nested child run per candidate."""
    import mlflow

    for i, trial in enumerate(result.trials):
        with mlflow.start_run(run_name=f"search-{i}", nested=True):
            mlflow.log_params(
                {
                    k: v
                    for k, v in trial.params.items()
                    if k not in ("objective", "num_class", "verbosity", "num_threads")
                }
            )
            mlflow.log_metrics(
                {
                    "cv_multi_logloss": trial.cv_multi_logloss,
                    "best_iteration": trial.best_iteration,
                    "seconds": trial.seconds,
                }
            )
            mlflow.set_tag("chosen", str(trial.params == result.params))


def _log_dataset(result: TrainResult, training_as_of: str) -> None:
    """The training and test sets as MLflow dataset inputs (name, digest, size, schema)."""
    import mlflow

    cols = ["account_id", "label", *[c for c in ("source", "feature_date") if c in result.test]]
    for context, frame in (("training", result.extra.get("train_frame")), ("test", result.test)):
        if frame is None:
            continue
        data = mlflow.data.from_pandas(
            frame.loc[:, [*cols, *FEATURES]],
            name=f"reviewed_accounts_{training_as_of}_{context}",
            targets="label",
            digest=f"{result.dataset_fingerprint}-{context}",
        )
        mlflow.log_input(data, context=context)


def log_register_and_gate(
    result: TrainResult,
    *,
    model_name: str,
    training_as_of: str,
    gate: bool = True,
) -> RegisteredModel:
    """Log the run (params, metrics, data, artifacts, search as child runs), register the
    model as ``challenger`` and, if ``gate``, run the promotion gate against the champion
    (the first model is promoted outright). The decision is on ``RegisteredModel.decision``."""
    import mlflow
    from mlflow.models import infer_signature

    current = champion(model_name)
    with mlflow.start_run(run_name=f"{model_name}-{training_as_of}") as run:
        mlflow.log_params({k: v for k, v in result.params.items()})
        mlflow.log_params(
            {
                "training_as_of": training_as_of,
                "n_train": result.n_train,
                "n_test": result.n_test,
                "test_cutoff": result.test_cutoff,
                "dataset_fingerprint": result.dataset_fingerprint,
                "n_features": len(FEATURES),
                "calibration": result.model.calibrator.method,
                **{f"class_weight_{k}": round(v, 4) for k, v in result.class_weights.items()},
            }
        )
        mlflow.log_metrics({k: float(v) for k, v in result.metrics.items() if not math.isnan(v)})
        mlflow.set_tags(
            {
                "dataset_fingerprint": result.dataset_fingerprint,
                "dataset_size": str(result.n_train + result.n_test),
                "policy.target_met": str(result.policy.target_met),
                # Where the final fit ran (local or dask): same model either way.
                "fit_backend": str(result.extra.get("fit_backend", "local")),
            }
        )
        _log_dataset(result, training_as_of)
        _log_trials(result)
        with tempfile.TemporaryDirectory() as tmp:
            for path in _artifacts(result, Path(tmp)):
                mlflow.log_artifact(str(path), artifact_path="evaluation")
        sample = pd.DataFrame([[0.0] * len(FEATURES)], columns=list(FEATURES), dtype="float64")
        signature = infer_signature(
            sample,
            pd.DataFrame([[1 / 3] * len(CLASSES)], columns=[f"score_{c}" for c in CLASSES]),
            params={"with_action": False},
        )
        with tempfile.TemporaryDirectory() as tmp:
            # One pyfunc bundles booster, calibrator, typical person and policy: loading
            # the version from the registry scores exactly as the pipeline publishes.
            info = mlflow.pyfunc.log_model(
                name="model",
                python_model=AccountAuthenticityModel(),
                artifacts=write_artifacts(result.model, result.policy, Path(tmp)),
                registered_model_name=model_name,
                signature=signature,
                input_example=sample,
                pip_requirements=PIP_REQUIREMENTS,
                metadata={
                    "calibrator": result.model.calibrator.to_dict(),
                    "typical_person": result.model.typical_person,
                    "policy": result.policy.to_dict(),
                },
            )
        # The held-out figures belong to the logged model too (MLflow 3 LoggedModel),
        # so they show on the model's page, not only on the run's.
        mlflow.log_metrics(
            {k: float(v) for k, v in result.metrics.items() if not math.isnan(v)},
            model_id=info.model_id,
        )
        model_version = str(info.registered_model_version)
        client = mlflow.MlflowClient()
        for key, value in result.policy.to_dict().items():
            client.set_model_version_tag(
                model_name, model_version, POLICY_TAG_PREFIX + key, str(value)
            )
        client.set_model_version_tag(
            model_name, model_version, "dataset_fingerprint", result.dataset_fingerprint
        )
        client.set_registered_model_alias(model_name, CHALLENGER, model_version)

        decision = None
        if gate:
            decision = run_gate(result, current)
            mlflow.log_metrics(decision.metrics())
            mlflow.set_tags(
                {
                    "gate.decision": "promoted" if decision.promoted else "refused",
                    "gate.reason": decision.reason,
                    "gate.champion_version": current.version if current else "none",
                }
            )
            client.set_model_version_tag(
                model_name,
                model_version,
                "gate.decision",
                "promoted" if decision.promoted else "refused",
            )
            client.set_model_version_tag(model_name, model_version, "gate.reason", decision.reason)
            if decision.promoted:
                client.set_registered_model_alias(model_name, CHAMPION, model_version)
        from realpeople.ml.plots import model_card

        card = model_card(
            result,
            model_name=model_name,
            model_version=model_version,
            training_as_of=training_as_of,
            decision=decision,
        )
        mlflow.log_text(card, "evaluation/model_card.md")
        # The registry shows the card as the version's description.
        client.update_model_version(model_name, model_version, description=card)
        return RegisteredModel(model_name, model_version, run.info.run_id, result.policy, decision)


def run_gate(result: TrainResult, current: RegisteredModel | None) -> GateDecision:
    """Score challenger and champion on the challenger's test set and decide."""
    weights = result.heldout["weight"].to_numpy()
    target = result.policy.terminate_precision_target * (1 - result.policy.label_noise)
    challenger_score = gate_score(result.model, result.policy, result.test, weights, target)
    champion_score = None
    if current is not None:
        model = load_model(current)
        # A champion trained on features the mart no longer builds (a feature renamed or
        # dropped since) cannot score today's accounts: the challenger takes over.
        retired = [f for f in model.booster.feature_name() if f not in result.test.columns]
        if retired:
            return GateDecision(
                True,
                f"promoted: the champion (version {current.version}) reads "
                f"{len(retired)} feature(s) no longer built ({', '.join(retired)}): "
                "it cannot score today's accounts",
                challenger_score,
                None,
            )
        champion_score = gate_score(model, current.policy, result.test, weights, target)
    return decide(challenger_score, champion_score)


def set_alias(model_name: str, alias: str, model_version: str) -> None:
    import mlflow

    mlflow.MlflowClient().set_registered_model_alias(model_name, alias, model_version)


def champion(model_name: str) -> RegisteredModel | None:
    """The version behind the ``champion`` alias, with its policy; None if there is none."""
    return by_alias(model_name, CHAMPION)


def challenger(model_name: str) -> RegisteredModel | None:
    """The newest trained version (``challenger`` alias); None if there is none."""
    return by_alias(model_name, CHALLENGER)


def by_alias(model_name: str, alias: str) -> RegisteredModel | None:
    import mlflow
    from mlflow.exceptions import MlflowException

    try:
        mv = mlflow.MlflowClient().get_model_version_by_alias(model_name, alias)
    except MlflowException:
        return None
    return _registered(model_name, mv)


def registered_version(model_name: str, model_version: str) -> RegisteredModel:
    """A registered version with the policy it was evaluated with."""
    import mlflow

    return _registered(
        model_name, mlflow.MlflowClient().get_model_version(model_name, model_version)
    )


def _registered(model_name: str, mv) -> RegisteredModel:
    policy = Policy.from_dict(
        {
            k.removeprefix(POLICY_TAG_PREFIX): v
            for k, v in mv.tags.items()
            if k.startswith(POLICY_TAG_PREFIX)
        }
    )
    return RegisteredModel(model_name, str(mv.version), mv.run_id, policy)


def load_pyfunc(model: RegisteredModel):
    """The registered version as anyone loads it from the registry (``mlflow.pyfunc``)."""
    import mlflow

    return mlflow.pyfunc.load_model(f"models:/{model.name}/{model.version}")


def load_model(model: RegisteredModel) -> AccountModel:
    """The registered version as it was evaluated: booster, calibrator, typical person,
    unwrapped from the same pyfunc the registry serves (one scoring path)."""
    return load_pyfunc(model).unwrap_python_model().account_model
