"""MLflow: log a training run, register the model, and load the champion back.

Experiment per model name; the registered model carries the policy thresholds as model
version tags (and ``policy.json``), so a version scores and acts exactly as it was
evaluated. Scoring always uses the ``champion`` alias.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import lightgbm as lgb
import pandas as pd

from ml.features import CLASSES, FEATURES
from ml.policy import Policy
from ml.train import TrainResult

CHAMPION = "champion"
POLICY_TAG_PREFIX = "policy."
# Explicit requirements: inferring them starts a subprocess that costs ~16 s.
PIP_REQUIREMENTS = [f"{pkg}=={version(pkg)}" for pkg in ("lightgbm", "numpy", "pandas", "scikit-learn")]


@dataclass(frozen=True)
class RegisteredModel:
    name: str
    version: str
    run_id: str
    policy: Policy


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
            experiment, artifact_location=(artifact_root / experiment).resolve().as_uri())
    else:
        experiment_id = found.experiment_id
    mlflow.set_experiment(experiment_id=experiment_id)
    return experiment_id


def _plots(result: TrainResult, folder: Path) -> list[Path]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.metrics import precision_recall_curve

    paths = []
    fig, ax = plt.subplots(figsize=(5, 4))
    matrix = result.confusion.to_numpy()
    ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(CLASSES)), CLASSES, rotation=20)
    ax.set_yticks(range(len(CLASSES)), CLASSES)
    ax.set_xlabel("predicted")
    ax.set_ylabel("review verdict")
    for (i, j), n in pd.DataFrame(matrix).stack().items():
        ax.text(j, i, int(n), ha="center", va="center")
    ax.set_title("Confusion matrix (held-out reviews)")
    fig.tight_layout()
    paths.append(folder / "confusion_matrix.png")
    fig.savefig(paths[-1], dpi=100)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(5, 4))
    for cls in CLASSES:
        positives = (result.heldout["label"] == cls).to_numpy()
        if positives.any():
            precision, recall, _ = precision_recall_curve(positives, result.heldout[f"score_{cls}"])
            ax.plot(recall, precision, label=cls)
    ax.axhline(result.policy.terminate_precision_target, ls=":", c="grey")
    ax.set_xlabel("recall")
    ax.set_ylabel("precision")
    ax.set_title("Precision-recall per class (held-out)")
    ax.legend()
    fig.tight_layout()
    paths.append(folder / "pr_curves.png")
    fig.savefig(paths[-1], dpi=100)
    plt.close(fig)

    fig, ax = plt.subplots(figsize=(6, 6))
    top = result.importance.head(20).iloc[::-1]
    ax.barh(top["feature"], top["gain"])
    ax.set_title("Feature importance (gain)")
    fig.tight_layout()
    paths.append(folder / "feature_importance.png")
    fig.savefig(paths[-1], dpi=100)
    plt.close(fig)
    return paths


def log_training_run(
    result: TrainResult, *, model_name: str, training_as_of: str, promote: bool = True,
) -> RegisteredModel:
    """Log params, metrics, plots and the model; register it; set ``champion`` if asked."""
    import mlflow
    from mlflow.models import infer_signature

    with mlflow.start_run(run_name=f"{model_name}-{training_as_of}") as run:
        mlflow.log_params({k: v for k, v in result.params.items()})
        mlflow.log_params({
            "training_as_of": training_as_of, "n_train": result.n_train, "n_test": result.n_test,
            "dataset_fingerprint": result.dataset_fingerprint, "n_features": len(FEATURES)})
        mlflow.log_metrics({k: float(v) for k, v in result.metrics.items()})
        mlflow.set_tags({"dataset_fingerprint": result.dataset_fingerprint,
                         "policy.target_met": str(result.policy.target_met)})
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            result.confusion.to_csv(folder / "confusion_matrix.csv")
            result.importance.to_csv(folder / "feature_importance.csv", index=False)
            (folder / "policy.json").write_text(json.dumps(result.policy.to_dict(), indent=2))
            for path in [*_plots(result, folder), folder / "confusion_matrix.csv",
                         folder / "feature_importance.csv", folder / "policy.json"]:
                mlflow.log_artifact(str(path), artifact_path="evaluation")
        sample = pd.DataFrame(
            [[0.0] * len(FEATURES)], columns=list(FEATURES), dtype="float64")
        signature = infer_signature(sample, pd.DataFrame(
            [[1 / 3] * len(CLASSES)], columns=[f"score_{c}" for c in CLASSES]))
        info = mlflow.lightgbm.log_model(
            result.booster, name="model", registered_model_name=model_name,
            signature=signature, pip_requirements=PIP_REQUIREMENTS)
        model_version = str(info.registered_model_version)
        client = mlflow.MlflowClient()
        for key, value in result.policy.to_dict().items():
            client.set_model_version_tag(model_name, model_version, POLICY_TAG_PREFIX + key, str(value))
        client.set_model_version_tag(model_name, model_version, "dataset_fingerprint",
                                     result.dataset_fingerprint)
        if promote:
            client.set_registered_model_alias(model_name, CHAMPION, model_version)
        return RegisteredModel(model_name, model_version, run.info.run_id, result.policy)


def champion(model_name: str) -> RegisteredModel | None:
    """The version behind the ``champion`` alias, with its policy; None if there is none."""
    import mlflow
    from mlflow.exceptions import MlflowException

    try:
        mv = mlflow.MlflowClient().get_model_version_by_alias(model_name, CHAMPION)
    except MlflowException:
        return None
    return _registered(model_name, mv)


def registered_version(model_name: str, model_version: str) -> RegisteredModel:
    """A registered version with the policy it was evaluated with."""
    import mlflow

    return _registered(model_name, mlflow.MlflowClient().get_model_version(model_name, model_version))


def _registered(model_name: str, mv) -> RegisteredModel:
    policy = Policy.from_dict({k.removeprefix(POLICY_TAG_PREFIX): v for k, v in mv.tags.items()
                               if k.startswith(POLICY_TAG_PREFIX)})
    return RegisteredModel(model_name, str(mv.version), mv.run_id, policy)


def load_booster(model: RegisteredModel) -> lgb.Booster:
    """The LightGBM booster of a registered version (the flavour, for probabilities)."""
    import mlflow

    return mlflow.lightgbm.load_model(f"models:/{model.name}/{model.version}")
