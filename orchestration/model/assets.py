"""The model stage: train the account-authenticity model, score every account.

Thin wrappers: the work is in ``ml.train``, ``ml.score``, ``ml.explain``, ``ml.policy``
and ``ml.tracking``.
"""


from pathlib import Path

import pandas as pd
from dagster import (
    AssetExecutionContext,
    AssetKey,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
)
from dagster_duckdb import DuckDBResource

from orchestration.partitions import DUCKDB_WRITER_POOL, delivery_date_partitions
from orchestration.settings import Settings

SQL_DIR = Path(__file__).parent / "sql"
ACCOUNT_FEATURES = AssetKey("account_features")
REVIEWS = AssetKey("stg_activity__reviews")


def sql(name: str) -> str:
    return (SQL_DIR / name).read_text()


def _configure_mlflow(settings: Settings) -> str:
    from ml.tracking import configure

    return configure(settings.mlflow_tracking_uri, Path(settings.mlflow_artifact_root), settings.model_name)


def mlflow_run_url(experiment_id: str, run_id: str) -> str:
    """Where the run shows in the MLflow UI that `make ui` serves."""
    return f"http://127.0.0.1:5000/#/experiments/{experiment_id}/runs/{run_id}"


@asset(
    key=AssetKey("account_authenticity_model"),
    deps=[ACCOUNT_FEATURES, REVIEWS],
    group_name="model",
    kinds={"lightgbm", "mlflow"},
    owners=["team:ml"],
    code_version="1",
    description=(
        "LightGBM multiclass model (human / ai_assisted / ai_managed) trained on the reviewed "
        "accounts' features as of the newest feature date, labelled with their latest review. "
        "Evaluated on a stratified held-out quarter; the policy thresholds are chosen there "
        "and stored on the registered model version, which becomes `champion`."),
)
def account_authenticity_model(context: AssetExecutionContext, settings: Settings,
                               warehouse: DuckDBResource) -> MaterializeResult:
    from ml.tracking import log_training_run
    from ml.train import train_model

    with warehouse.get_connection() as con:
        as_of = con.execute(sql("latest_feature_date.sql")).fetchone()[0]
        if as_of is None:
            raise Failure("no account_features yet: build the features for a run date first")
        training = con.execute(sql("training_set.sql"), {"as_of": as_of}).df()
    context.log.info(f"training on {len(training)} reviewed accounts as of {as_of}")
    if training.empty:
        raise Failure(f"no reviewed accounts with features as of {as_of}: nothing to learn from")
    result = train_model(training, terminate_precision=settings.terminate_precision,
                         label_noise=settings.label_noise)
    experiment_id = _configure_mlflow(settings)
    registered = log_training_run(result, model_name=settings.model_name, training_as_of=str(as_of))
    metrics = {k: float(v) for k, v in result.metrics.items()}
    return MaterializeResult(metadata={
        "model_name": registered.name,
        "model_version": registered.version,
        "mlflow_run": MetadataValue.url(mlflow_run_url(experiment_id, registered.run_id)),
        "training_as_of": str(as_of),
        "n_train": result.n_train,
        "n_test": result.n_test,
        "dataset_fingerprint": result.dataset_fingerprint,
        "terminate_threshold": result.policy.terminate_threshold,
        "terminate_heldout_precision": result.policy.terminate_heldout_precision,
        "terminate_heldout_recall": result.policy.terminate_heldout_recall,
        "terminate_target_met": result.policy.target_met,
        "heldout_metrics": MetadataValue.json(metrics),
        "confusion_matrix": MetadataValue.md(result.confusion.to_markdown()),
        "top_features": MetadataValue.md(result.importance.head(10).to_markdown(index=False)),
    })


@asset(
    key=AssetKey("account_scores"),
    deps=[ACCOUNT_FEATURES, AssetKey("account_authenticity_model")],
    partitions_def=delivery_date_partitions,
    group_name="model",
    kinds={"lightgbm", "mlflow", "duckdb"},
    owners=["team:ml"],
    pool=DUCKDB_WRITER_POOL,
    code_version="1",
    description=(
        "One row per account and run date: the `champion` model's probabilities, the action "
        "its registered policy proposes and, for proposed actions, the reasons (TreeSHAP "
        "reason codes in words)."),
)
def account_scores(context: AssetExecutionContext, settings: Settings,
                   warehouse: DuckDBResource) -> MaterializeResult:
    from ml.explain import explain_actions
    from ml.policy import decide_actions
    from ml.score import score_accounts
    from ml.tracking import champion, load_booster

    run_date = context.partition_key
    _configure_mlflow(settings)
    model = champion(settings.model_name)
    if model is None:
        raise Failure(f"no `champion` version of model {settings.model_name!r} is registered: "
                      "materialize account_authenticity_model first")
    booster = load_booster(model)
    with warehouse.get_connection() as con:
        features = con.execute(sql("features_for_run_date.sql"), {"run_date": run_date}).df()
    if features.empty:
        raise Failure(f"account_features has no rows for run date {run_date}")
    scores = score_accounts(features, booster)
    scores["proposed_action"] = decide_actions(scores, model.policy)
    scores["reasons"] = explain_actions(features, scores, booster)
    scores.insert(0, "run_date", pd.to_datetime(run_date).date())
    scores["model_name"] = model.name
    scores["model_version"] = model.version
    with warehouse.get_connection() as con:
        con.execute(sql("create_account_scores.sql"))
        con.execute("begin transaction")
        con.execute(sql("delete_account_scores.sql"), {"run_date": run_date})
        con.register("scored", scores)
        con.execute(sql("replace_account_scores.sql"))
        con.unregister("scored")
        con.execute("commit")
    proposed = scores["proposed_action"].value_counts().to_dict()
    return MaterializeResult(metadata={
        "run_date": run_date,
        "accounts_scored": len(scores),
        "model_version": model.version,
        "proposed_terminate": int(proposed.get("terminate", 0)),
        "proposed_warn_and_limit": int(proposed.get("warn_and_limit", 0)),
        "score_ai_managed_mean": float(scores["score_ai_managed"].mean()),
        "preview": MetadataValue.md(
            scores.sort_values("score_ai_managed", ascending=False).head(10)
            .loc[:, ["account_id", "score_ai_managed", "score_ai_assisted", "proposed_action", "reasons"]]
            .to_markdown(index=False)),
    })
