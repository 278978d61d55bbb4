"""The model stage: train the account-authenticity model, score every account.

Thin wrappers: the work is in ``ml.train``, ``ml.score``, ``ml.explain``, ``ml.policy``,
``ml.promotion`` and ``ml.tracking``. Retraining runs weekly (``weekly_training``,
below) and on demand (launch ``training_job`` or materialize the model in the UI).
"""

from datetime import date
from pathlib import Path

import pandas as pd
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    DefaultScheduleStatus,
    Failure,
    MaterializeResult,
    MetadataValue,
    ResourceParam,
    ScheduleDefinition,
    asset,
)
from dagster_duckdb import DuckDBResource

from realpeople.partitions import DUCKDB_WRITER_POOL, delivery_date_partitions
from realpeople.progress import Progress
from realpeople.settings import Settings
from realpeople.warehouse import sql_reader, transaction

ACCOUNT_FEATURES = AssetKey("account_features")
REVIEWS = AssetKey("stg_activity__reviews")


sql = sql_reader(__file__)


def _configure_mlflow(settings: ResourceParam[Settings]) -> str:
    from realpeople.ml.tracking import configure

    return configure(
        settings.mlflow_tracking_uri, Path(settings.mlflow_artifact_root), settings.model_name
    )


def mlflow_run_url(experiment_id: str, run_id: str) -> str:
    """Where the run shows in the MLflow UI that `make ui` serves."""
    return f"http://127.0.0.1:5000/#/experiments/{experiment_id}/runs/{run_id}"


MODEL_KEY = AssetKey("account_authenticity_model")
# A review older than this past its newest earlier snapshot is left out of training:
# features that stale no longer describe what the moderator saw.
MAX_FEATURE_AGE_DAYS = 7
# The hyperparameter search's time box (the default candidate always runs).
SEARCH_SECONDS = 30.0
PROMOTION_GATE = "promotion_gate"


def earliest_training_date(con, as_of: date, window_days: int) -> date:
    """The earliest snapshot date a review may be trained on for a model scoring
    ``as_of`` (like for like: ``ml.dataset.earliest_training_snapshot``)."""
    from realpeople.ml.dataset import earliest_training_snapshot

    first_day = con.execute(sql("first_event_delivery.sql"), {"as_of": as_of}).fetchone()[0]
    return earliest_training_snapshot(first_day, as_of, window_days)


def training_set(con, as_of: date, window_days: int) -> pd.DataFrame:
    """One row per trainable reviewed account as of ``as_of`` (``sql/training_set.sql``)."""
    return con.execute(
        sql("training_set.sql"),
        {
            "as_of": as_of,
            "max_feature_age_days": MAX_FEATURE_AGE_DAYS,
            "min_feature_date": earliest_training_date(con, as_of, window_days),
        },
    ).df()


@asset(
    key=MODEL_KEY,
    deps=[ACCOUNT_FEATURES, REVIEWS],
    group_name="model",
    kinds={"lightgbm", "mlflow"},
    owners=["team:ml"],
    code_version="2",
    check_specs=[
        AssetCheckSpec(
            PROMOTION_GATE,
            asset=MODEL_KEY,
            description=(
                "Did the newly trained challenger beat the champion on the newest reviews "
                "(recall at the terminate precision target, without more people wrongly "
                "terminated)? Warns when the champion is kept."
            ),
        )
    ],
    description=(
        "One registered model version per training: LightGBM multiclass (human / ai_assisted / "
        "ai_managed) on reviewed accounts with point-in-time features (the newest snapshot "
        "before each review's day), latest verdict as label. Time split (newest quarter of "
        "reviews = test) plus cross-validation, a time-boxed search as MLflow child runs, "
        "Platt calibration and policy thresholds from out-of-fold predictions. Registered as "
        "`challenger`; promoted to `champion` only through the promotion gate."
    ),
)
def account_authenticity_model(
    context: AssetExecutionContext, settings: ResourceParam[Settings], warehouse: DuckDBResource
):
    from realpeople.ml.dataset import NotEnoughReviews
    from realpeople.ml.distributed import fit_backend
    from realpeople.ml.tracking import log_register_and_gate
    from realpeople.ml.train import train_model

    with warehouse.get_connection() as con:
        as_of = con.execute(sql("latest_feature_date.sql")).fetchone()[0]
        snapshots = con.execute(sql("feature_snapshots.sql")).df()
        # Features built but no account in them (no accounts delivery taken yet, or every
        # row quarantined): no reviewed account has a snapshot, so training is refused
        # below like any other shortfall and moderators' verdicts act.
        training = (
            training_set(con, as_of, settings.feature_window_days)
            if as_of is not None
            else pd.DataFrame({"label": pd.Series(dtype=object)})
        )
    context.log.info(
        f"training on {len(training)} reviewed accounts as of {as_of}, "
        f"from {len(snapshots)} feature snapshot(s)"
    )
    try:
        with fit_backend(settings.training_backend, settings.dask_scheduler) as fit:
            result = train_model(
                training,
                terminate_precision=settings.terminate_precision,
                label_noise=settings.label_noise,
                bar_confidence=settings.terminate_bar_confidence,
                search_seconds=SEARCH_SECONDS,
                fit=fit,
            )
    except NotEnoughReviews as refused:
        # Degrade, don't die: no version is registered; the champion (if any) keeps acting,
        # and without one the run date is decided by moderators' verdicts only.
        message = (
            f"{refused} (as of {as_of}; reviews count only with a feature snapshot "
            f"from before their day: snapshots "
            f"{', '.join(str(d.date()) for d in pd.to_datetime(snapshots['run_date']))})"
            if as_of is not None
            else f"{refused} (no account known yet: account_features holds no row)"
        )
        context.log.warning(message)
        yield MaterializeResult(
            metadata={
                "trained": False,
                "reason": message,
                "training_as_of": str(as_of),
                "feature_snapshots": len(snapshots),
                "reviewed_accounts": len(training),
                **{f"reviews_needed_{c}": n for c, n in refused.shortfall.needed.items()},
                "reviews_needed_any": refused.shortfall.needed_any,
            }
        )
        yield AssetCheckResult(
            check_name=PROMOTION_GATE,
            asset_key=MODEL_KEY,
            passed=False,
            severity=AssetCheckSeverity.WARN,
            description=f"no challenger trained: {message}",
            metadata={"decision": "not trained"},
        )
        return
    experiment_id = _configure_mlflow(settings)
    registered = log_register_and_gate(
        result, model_name=settings.model_name, training_as_of=str(as_of)
    )
    decision = registered.decision
    m = {k: float(v) for k, v in result.metrics.items()}
    yield MaterializeResult(
        metadata={
            "trained": True,
            "model_name": registered.name,
            "model_version": registered.version,
            "promoted_to_champion": decision.promoted,
            "mlflow_run": MetadataValue.url(mlflow_run_url(experiment_id, registered.run_id)),
            "training_as_of": str(as_of),
            "feature_snapshots": len(snapshots),
            "n_train": result.n_train,
            "n_test": result.n_test,
            "test_cutoff": result.test_cutoff,
            "dataset_fingerprint": result.dataset_fingerprint,
            "fit_backend": result.extra["fit_backend"],
            "search_trials": len(result.trials),
            "terminate_threshold": result.policy.terminate_threshold,
            "terminate_precision_test": m["terminate_precision"],
            "terminate_recall_test": m["terminate_recall"],
            "wrongly_terminated_per_10k_people": m["wrongly_terminated_per_10k_people"],
            "brier_uncalibrated": m["brier_uncalibrated"],
            "brier_calibrated": m["brier_calibrated"],
            "terminate_target_met": result.policy.target_met,
            "heldout_metrics": MetadataValue.json(m),
            "confusion_matrix": MetadataValue.md(result.confusion.to_markdown()),
            "top_features": MetadataValue.md(result.importance.head(10).to_markdown(index=False)),
        }
    )
    yield AssetCheckResult(
        check_name=PROMOTION_GATE,
        asset_key=MODEL_KEY,
        passed=decision.promoted,
        severity=AssetCheckSeverity.WARN,
        description=decision.reason,
        metadata={
            "decision": "promoted" if decision.promoted else "refused",
            "challenger_version": registered.version,
            **{k: float(v) for k, v in decision.metrics().items()},
        },
    )


@asset(
    key=AssetKey("account_scores"),
    deps=[ACCOUNT_FEATURES, AssetKey("account_authenticity_model")],
    partitions_def=delivery_date_partitions,
    group_name="model",
    kinds={"lightgbm", "mlflow", "duckdb"},
    owners=["team:ml"],
    pool=DUCKDB_WRITER_POOL,
    code_version="2",
    description=(
        "One row per account and run date: the `champion` model's calibrated probabilities, "
        "the action its registered policy proposes (`terminate`, `warn_and_limit`, or `review` "
        "for the uncertain band that goes to moderators' review queue) and, for proposed "
        "actions, the reasons (TreeSHAP reason codes in words). No rows while no model is "
        "registered (too few reviews): `model_status` then records, per run date, that no "
        "model acts and how many more reviews of which class training needs."
    ),
)
def account_scores(
    context: AssetExecutionContext, settings: ResourceParam[Settings], warehouse: DuckDBResource
) -> MaterializeResult:
    from realpeople.ml.explain import explain_actions
    from realpeople.ml.policy import guarded_actions
    from realpeople.ml.score import feature_array, scores_table
    from realpeople.ml.tracking import champion, load_model

    run_date = context.partition_key
    _configure_mlflow(settings)
    model = champion(settings.model_name)
    if model is None:
        return _no_model(context, settings, warehouse, run_date)
    scorer = load_model(model)
    # Arrow from DuckDB straight into the feature matrix: no 75-column pandas frame.
    with warehouse.get_connection() as con:
        features = con.execute(
            sql("features_for_run_date.sql"), {"run_date": run_date}
        ).to_arrow_table()
    if features.num_rows == 0:
        raise Failure(f"account_features has no rows for run date {run_date}")
    # A champion trained on features the mart no longer builds (renamed or dropped since)
    # cannot score; until training promotes a version of today's features (the gate does
    # so outright), moderators' verdicts decide alone, and the status says why.
    retired = [f for f in scorer.booster.feature_name() if f not in features.column_names]
    if retired:
        return _no_model(
            context,
            settings,
            warehouse,
            run_date,
            why_not=(
                f"no model acts: the champion (version {model.version}) reads "
                f"{len(retired)} feature(s) no longer built ({', '.join(retired)}); "
                "launch training_job to train and promote a version of today's features"
            ),
        )
    # the champion's own features (a version trained before a feature was added scores)
    x = feature_array(features, scorer.booster.feature_name())
    scores = _score(features, x, scorer, settings)
    # The guards: how many audited people would the bars act on, on today's features?
    with warehouse.get_connection() as con:
        verdicts = con.execute(sql("latest_verdicts.sql"), {"run_date": run_date}).df()
    # people of the random audit: an unbiased sample of the platform's people
    reviewed = verdicts[verdicts["audited"]].merge(
        scores[["account_id", "score_ai_managed", "score_ai_assisted"]], on="account_id"
    )
    decided = guarded_actions(
        scores,
        reviewed,
        model.policy,
        terminate_per_10k=settings.terminate_guard_per_10k,
        warn_per_10k=settings.warn_guard_per_10k,
        label_noise=settings.label_noise,
    )
    scores["proposed_action"] = decided.actions
    guard, wguard, held, withheld = decided.guard, decided.wguard, decided.held, decided.withheld
    if guard.tripped:
        context.log.warning(
            f"terminate guard tripped for {run_date}: the bar {model.policy.terminate_threshold:.3f} "
            f"would terminate {guard.people_flagged} of {guard.people_reviewed} audited people "
            f"(flipped verdicts expected {guard.expected_flipped:.1f}, allowed {guard.max_per_10k:g} "
            f"per 10,000; p = {guard.p_value:.4f}); {held} automatic terminations sent to the review queue"
        )
    # the warn guard raised its bar until the audited people it warns are within chance
    if wguard.raised:
        context.log.warning(
            f"warn guard raised the warn bar for {run_date} from {wguard.policy_bar:.3f} to "
            f"{wguard.acting_bar:.3f}: the policy's bar would warn "
            f"{wguard.at_policy_bar.people_flagged} of {wguard.at_policy_bar.people_reviewed} "
            f"audited people (p = {wguard.at_policy_bar.p_value:.4f}), the acting bar "
            f"{wguard.at_acting_bar.people_flagged}; {withheld} warnings withheld"
        )
    # TreeSHAP only for the accounts with a proposed action (the ones whose reasons are read)
    scores["reasons"] = explain_actions(x, scores, scorer, num_threads=settings.scoring_threads)
    scored = scores_table(features, scores, run_date, model.name, model.version)
    with warehouse.get_connection() as con:
        con.execute(sql("create_account_scores.sql"))
        con.register("scored", scored)
        with transaction(con):
            con.execute(sql("delete_account_scores.sql"), {"run_date": run_date})
            con.execute(sql("replace_account_scores.sql"))
            _record_status(
                con,
                run_date,
                settings.model_name,
                model.version,
                None,
                guard,
                held,
                model.policy.terminate_threshold,
                wguard,
                withheld,
            )
        con.unregister("scored")
    proposed = scores["proposed_action"].value_counts().to_dict()
    return MaterializeResult(
        metadata={
            "run_date": run_date,
            "accounts_scored": len(scores),
            "model_version": model.version,
            # The run policy publishes the date again when the champion or its policy
            # changes (defs/policy.py, champion_changed).
            "scored_by": model.scoring_id,
            "proposed_terminate": int(proposed.get("terminate", 0)),
            "proposed_warn_and_limit": int(proposed.get("warn_and_limit", 0)),
            "proposed_review": int(proposed.get("review", 0)),
            "score_ai_managed_mean": float(scores["score_ai_managed"].mean()),
            "terminate_guard_tripped": guard.tripped,
            "terminations_held": held,
            "warn_bar_acting": wguard.acting_bar,
            "warn_bar_policy": wguard.policy_bar,
            "warnings_withheld": withheld,
            "guard_people_flagged": f"{guard.people_flagged} of {guard.people_reviewed} audited people "
            f"(95 % bounds {guard.lower_per_10k:.0f}-{guard.upper_per_10k:.0f} per 10,000; "
            f"flipped verdicts expected {guard.expected_flipped:.1f}; p = {guard.p_value:.4f})",
            "preview": MetadataValue.md(
                scores.nlargest(10, "score_ai_managed")
                .loc[
                    :,
                    [
                        "account_id",
                        "score_ai_managed",
                        "score_ai_assisted",
                        "proposed_action",
                        "reasons",
                    ],
                ]
                .to_markdown(index=False)
            ),
        }
    )


def _record_status(
    con,
    run_date: str,
    model_name: str,
    version: str | None,
    shortfall,
    guard=None,
    held: int = 0,
    bar: float | None = None,
    wguard=None,
    withheld: int = 0,
    why_not: str | None = None,
) -> None:
    """Replace the run date's row of ``model_status``: did a model act, and if not, why
    (``why_not``, else the review shortfall); and, when one acted, its terminate guard
    (``ml.policy.TerminateGuard``) and its warn guard (``ml.policy.WarnGuard``)."""
    needed = shortfall.needed if shortfall is not None else {}
    con.execute(sql("delete_model_status.sql"), {"run_date": run_date})
    con.execute(
        sql("insert_model_status.sql"),
        {
            "run_date": run_date,
            "model_name": model_name,
            "model_version": version,
            "model_acting": version is not None,
            "needed_human": needed.get("human", 0),
            "needed_ai_assisted": needed.get("ai_assisted", 0),
            "needed_ai_managed": needed.get("ai_managed", 0),
            "needed_any": shortfall.needed_any if shortfall is not None else 0,
            "guard_tripped": None if guard is None else guard.tripped,
            "guard_people_reviewed": None if guard is None else guard.people_reviewed,
            "guard_people_flagged": None if guard is None else guard.people_flagged,
            "guard_lower": None if guard is None else guard.lower_per_10k,
            "guard_upper": None if guard is None else guard.upper_per_10k,
            "guard_max": None if guard is None else guard.max_per_10k,
            "terminations_held": None if guard is None else held,
            "terminate_held_from": bar if guard is not None and guard.tripped else None,
            "warn_threshold_acting": None if wguard is None else wguard.acting_bar,
            "warn_guard_people_flagged": (
                None if wguard is None else wguard.at_policy_bar.people_flagged
            ),
            "warnings_withheld": None if wguard is None else withheld,
            "note": (
                f"model {model_name} v{version} acts"
                + (
                    f"; automatic terminate held by the guard ({held} to the review queue)"
                    if guard is not None and guard.tripped
                    else ""
                )
                + (
                    f"; warn bar raised by the guard from {wguard.policy_bar:.3f} to "
                    f"{wguard.acting_bar:.3f} ({withheld} warnings withheld)"
                    if wguard is not None and wguard.raised
                    else ""
                )
                if version is not None
                else why_not
                if why_not is not None
                else shortfall.message()
                if shortfall is not None and not shortfall.ok
                else "no model acts yet: none has been trained and registered"
            ),
        },
    )


def _no_model(
    context: AssetExecutionContext,
    settings: ResourceParam[Settings],
    warehouse: DuckDBResource,
    run_date: str,
    why_not: str | None = None,
) -> MaterializeResult:
    """No champion yet (too few reviews to train one), or one that cannot score
    (``why_not``): nothing is scored for the run date, and ``model_status`` says why and
    how many more reviews of which class training needs, so the enforcement list, the
    metrics, the report and the run summary can say it plainly."""
    from realpeople.ml.dataset import training_shortfall

    with warehouse.get_connection() as con:
        training = training_set(con, date.fromisoformat(run_date), settings.feature_window_days)
        shortfall = training_shortfall(training)
        con.execute(sql("create_account_scores.sql"))
        with transaction(con):
            con.execute(sql("delete_account_scores.sql"), {"run_date": run_date})
            _record_status(con, run_date, settings.model_name, None, shortfall, why_not=why_not)
    note = (
        why_not
        if why_not is not None
        else shortfall.message()
        if not shortfall.ok
        else "no model acts yet: none is registered (train one: launch training_job)"
    )
    context.log.warning(f"account_scores {run_date}: {note}; moderators' verdicts decide alone")
    return MaterializeResult(
        metadata={
            "run_date": run_date,
            "accounts_scored": 0,
            "model_acting": False,
            "model_status": note,
            **{f"reviews_needed_{c}": n for c, n in shortfall.needed.items()},
            "reviews_needed_any": shortfall.needed_any,
        }
    )


def _score(features, x, scorer, settings: ResourceParam[Settings]) -> pd.DataFrame:
    """``account_id`` and ``score_<class>`` per account (the order of ``features``): the
    feature matrix ``x`` in batches here, or partition by partition on the Dask cluster
    (same rows and columns) when the model stage runs on Dask."""
    from realpeople.ml.score import probabilities, score_batches

    if settings.training_backend != "dask":
        # In batches, so the terminal shows accounts scored n/N (row-wise: same scores).
        with Progress("accounts scored", total=len(x), unit="accounts") as bar:
            proba = score_batches(x, scorer, settings.scoring_threads, advance=bar.advance)
        scores = probabilities(proba)
        scores.insert(0, "account_id", features.column("account_id").to_numpy())
        return scores
    import dask.dataframe as dd

    from realpeople.ml.distributed import dask_client, n_workers, score_partitioned

    with dask_client(settings.dask_scheduler) as client:
        # A few partitions per worker, so a slow worker does not hold the whole run.
        parts = dd.from_pandas(features.to_pandas(), npartitions=2 * n_workers(client), sort=False)
        return score_partitioned(parts, scorer).compute().reset_index(drop=True)


# Weekly retraining: new reviews accrue every day; a week gives the newest-reviews test
# set enough rows to judge a challenger. Monday 03:00 UTC, after the night's deliveries.
weekly_training = ScheduleDefinition(
    name="weekly_training",
    job_name="training_job",
    cron_schedule="0 3 * * 1",
    execution_timezone="UTC",
    default_status=DefaultScheduleStatus.RUNNING,
    description="Retrain, register the challenger and run the promotion gate every Monday.",
)
