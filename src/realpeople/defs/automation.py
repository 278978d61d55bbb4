"""Automation: new deliveries are loaded as they land (a sensor: files are not assets),
and everything after the load follows the run policy (``defs/policy.py``): declarative
automation conditions, evaluated by the ``run_policy`` sensor on the code server.

Both are on by default (``make ui`` starts the daemon); switch either off in the UI
(Automation tab), no code edit needed. ``make run`` runs the same two, in the foreground.
Weekly retraining is a schedule, with the model assets.
"""

import json
from pathlib import Path

from dagster import (
    AutomationConditionSensorDefinition,
    DefaultSensorStatus,
    ResourceParam,
    RunRequest,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    sensor,
)

from realpeople.defs.ingest.assets import ingest_selection
from realpeople.defs.ingest.landing import pending_deliveries, survey_landing
from realpeople.defs.ingest.loader import recorded_files
from realpeople.defs.jobs import ingest_job
from realpeople.defs.policy import POLICY_TARGET
from realpeople.partitions import delivery_date_partitions, partition_range
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
    # A date seen for the first time becomes a partition in the same tick, before its run
    # (adding a known date is a no-op).
    return SensorResult(
        run_requests=requests,
        cursor=json.dumps(pending, sort_keys=True),
        dynamic_partitions_requests=[
            delivery_date_partitions.build_add_request(sorted({r.partition_key for r in requests}))
        ],
    )


run_policy_sensor = AutomationConditionSensorDefinition(
    "run_policy",
    target=POLICY_TARGET,
    default_status=DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=30,
    # Seven conditions are Python that reads the warehouse and MLflow: they run where the
    # code is, not in the daemon.
    use_user_code_server=True,
    # One run per date, as `make run` executes them, not a backfill of several dates.
    emit_backfills=False,
    description=(
        "The run policy (src/realpeople/defs/policy.py): features for the run date and the "
        "catch-up snapshots training needs, a first model while no champion exists, and "
        "the run date's publication once its delivery and features are in (again when a "
        "delivery is re-sent or the champion changes)."
    ),
)
