"""Automation: new deliveries are loaded as they land, and a date is published once its
delivery has loaded (not on a clock that may run ahead of a late delivery).

Both are on by default (``make ui`` starts the daemon); switch either off in the UI
(Automation tab), no code edit needed. Weekly retraining lives with the model assets.
"""

import json
from pathlib import Path

from dagster import (
    DagsterRunStatus,
    DefaultSensorStatus,
    ResourceParam,
    RunRequest,
    RunStatusSensorContext,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    run_status_sensor,
    sensor,
)

from realpeople.defs.ingest.assets import ingest_selection
from realpeople.defs.ingest.landing import pending_deliveries, survey_landing
from realpeople.defs.ingest.loader import recorded_files
from realpeople.defs.jobs import daily_job, ingest_job, training_job
from realpeople.partitions import partition_range
from realpeople.settings import Settings


@sensor(
    job=ingest_job,
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.RUNNING,
    description=(
        "Watches the landing zone; when a delivery folder appears or changes, "
        "requests exactly one ingest run for that delivery date, for the tables "
        "whose files changed (the same definition of 'not yet loaded' as `make run`)."
    ),
)
def new_deliveries_sensor(context: SensorEvaluationContext, settings: ResourceParam[Settings]):
    import duckdb

    landing = survey_landing(Path(settings.landing_dir), *partition_range(settings))
    # A refused delivery folder never stops the others; the tick names it (and every ingest
    # run records it in the ledger).
    for entry in landing.rejected_deliveries:
        context.log.warning(f"delivery folder refused: {entry.message}")
    refused_note = "".join(f"; refused: {e.message}" for e in landing.rejected_deliveries[:5])
    recorded = set()
    if Path(settings.warehouse_path).exists():
        try:
            with duckdb.connect(settings.warehouse_path, read_only=True) as con:
                recorded = recorded_files(con)
        except duckdb.IOException:
            # A run holds the warehouse (DuckDB has one writer): judge on the next tick
            # rather than request every delivery again.
            return SkipReason("the warehouse is busy with a run; checking on the next tick")
    pending = {
        day.isoformat(): tables
        for day, tables in pending_deliveries(landing, Path(settings.landing_dir), recorded).items()
    }
    # The cursor holds what was already requested (by fingerprint), so a delivery whose
    # run is queued or running is not requested again; the run key (the fingerprint too)
    # keeps Dagster from launching the same request twice.
    requested: dict[str, dict[str, str]] = json.loads(context.cursor) if context.cursor else {}
    requests = []
    for day, tables in pending.items():
        changed = sorted(t for t, fp in tables.items() if requested.get(day, {}).get(t) != fp)
        if changed:
            requests.append(
                RunRequest(
                    run_key=f"{day}:" + ",".join(f"{t}={tables[t]}" for t in changed),
                    partition_key=day,
                    asset_selection=ingest_selection(changed)[0],
                    asset_check_keys=ingest_selection(changed)[1],
                    tags={"realpeople/trigger": "new_delivery"},
                )
            )
    if not requests:
        return SkipReason("no new or changed deliveries" + refused_note)
    return SensorResult(run_requests=requests, cursor=json.dumps(pending, sort_keys=True))


@run_status_sensor(
    run_status=DagsterRunStatus.SUCCESS,
    monitored_jobs=[ingest_job],
    request_job=daily_job,
    default_status=DefaultSensorStatus.RUNNING,
    description=(
        "When a delivery date has loaded, builds that date's features, scores and "
        "publishes it (daily_job for the same date; blocking checks gate "
        "publishing). A late or re-sent delivery re-publishes its date."
    ),
)
def publish_after_delivery(context: RunStatusSensorContext):
    run = context.dagster_run
    day = run.tags.get("dagster/partition")
    if not day:
        return SkipReason(f"ingest run {run.run_id} has no delivery date")
    # One publish per successful ingest run: the run id is the key.
    return RunRequest(
        run_key=f"publish:{run.run_id}",
        partition_key=day,
        tags={"realpeople/trigger": f"delivery loaded ({run.run_id})"},
    )


def needs_training(settings: Settings) -> str | None:
    """Why a model must be trained now, or None: the one rule ``make run`` and the
    daemon follow. Today: no champion is registered (weekly retraining is a schedule)."""
    from realpeople.ml.tracking import champion, configure

    configure(
        settings.mlflow_tracking_uri, Path(settings.mlflow_artifact_root), settings.model_name
    )
    if champion(settings.model_name) is None:
        return f"no champion of {settings.model_name} is registered"
    return None


def newest_feature_date(settings: Settings) -> str | None:
    """The newest run date ``account_features`` holds (None before the first build)."""
    import duckdb

    if not Path(settings.warehouse_path).exists():
        return None
    try:
        with duckdb.connect(settings.warehouse_path, read_only=True) as con:
            found = con.execute(
                "select count(*) from information_schema.tables "
                "where table_name = 'account_features'"
            ).fetchone()[0]
            newest = (
                con.execute("select max(run_date) from account_features").fetchone()[0]
                if found
                else None
            )
    except duckdb.IOException:
        return None  # a run holds the warehouse; the next tick sees it
    return newest.isoformat() if newest is not None else None


@sensor(
    job=training_job,
    minimum_interval_seconds=300,
    default_status=DefaultSensorStatus.RUNNING,
    description=(
        "Trains the first model: while no champion is registered, once per new "
        "feature date (too few reviews: the run says how many more are needed)."
    ),
)
def train_when_no_champion(context: SensorEvaluationContext, settings: ResourceParam[Settings]):
    reason = needs_training(settings)
    newest = newest_feature_date(settings)
    if reason is None or newest is None:
        return SkipReason("a champion is registered" if reason is None else "no features built yet")
    return RunRequest(run_key=f"first-model:{newest}", tags={"realpeople/trigger": reason})


@run_status_sensor(
    run_status=DagsterRunStatus.SUCCESS,
    monitored_jobs=[training_job],
    request_job=daily_job,
    default_status=DefaultSensorStatus.RUNNING,
    description=(
        "After training, re-publishes the newest date, so a new champion acts at "
        "once (as `make run` trains before it publishes)."
    ),
)
def publish_after_training(context: RunStatusSensorContext, settings: ResourceParam[Settings]):
    newest = newest_feature_date(settings)
    if newest is None:
        return SkipReason("no features built yet")
    return RunRequest(
        run_key=f"publish-after-training:{context.dagster_run.run_id}",
        partition_key=newest,
        tags={"realpeople/trigger": f"model trained ({context.dagster_run.run_id})"},
    )
