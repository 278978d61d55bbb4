"""Automation: the delivery sensor, and a date-range backfill of the features in one run."""

import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest
from dagster import AssetKey, DagsterInstance, SensorResult, SkipReason, build_sensor_context

from realpeople import simulator
from realpeople.definitions import build_definitions
from realpeople.defs.automation import new_deliveries_sensor
from realpeople.settings import load_settings

END = date(2026, 11, 15)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("automation")
    simulator.simulate(
        root / "all", root / "truth.parquet", accounts=800, days=3, seed=5, end_date=END, csv_days=0
    )
    landing = root / "landing"
    # The landing zone starts with the first two days; the third arrives later.
    for table in ("accounts", "events", "reviews", "appeals"):
        for day in ("2026-11-13", "2026-11-14"):
            src = root / "all" / table / f"dt={day}"
            if src.exists():
                shutil.copytree(src, landing / table / f"dt={day}")
    settings = load_settings(
        {"REALPEOPLE_LANDING_DIR": str(landing), "REALPEOPLE_DATA_DIR": str(root / "data")}
    )
    return {"root": root, "landing": landing, "settings": settings}


def evaluate(settings, cursor):
    with build_sensor_context(cursor=cursor, resources={"settings": settings}) as context:
        return new_deliveries_sensor(context)


def test_a_new_delivery_folder_triggers_exactly_one_run_for_its_date(world):
    settings = world["settings"]
    first = evaluate(settings, None)
    assert isinstance(first, SensorResult)
    assert [r.partition_key for r in first.run_requests] == ["2026-11-13", "2026-11-14"]

    again = evaluate(settings, first.cursor)
    assert isinstance(again, SkipReason)

    src = world["root"] / "all" / "events" / "dt=2026-11-15"
    shutil.copytree(src, world["landing"] / "events" / "dt=2026-11-15")
    dropped = evaluate(settings, first.cursor)
    [request] = dropped.run_requests
    assert request.partition_key == "2026-11-15"
    assert request.asset_selection == [AssetKey(["raw", "events"])]
    assert isinstance(evaluate(settings, dropped.cursor), SkipReason)

    # A re-sent delivery (a file added to an old folder) is noticed too, for that date only.
    extra = world["landing"] / "events" / "dt=2026-11-13" / "part-1.parquet"
    shutil.copy(world["landing"] / "events" / "dt=2026-11-13" / "part-0.parquet", extra)
    resent = evaluate(settings, dropped.cursor)
    assert [r.partition_key for r in resent.run_requests] == ["2026-11-13"]
    extra.unlink()

    # The requested run loads exactly that delivery.
    defs = build_definitions(settings)
    result = defs.resolve_job_def("ingest_job").execute_in_process(
        instance=DagsterInstance.ephemeral(),
        partition_key=request.partition_key,
        asset_selection=request.asset_selection,
    )
    assert result.success
    with duckdb.connect(settings.warehouse_path, read_only=True) as con:
        dates = con.execute("select distinct _delivery_date from raw.events").fetchall()
    assert dates == [(END,)]


def test_an_invalid_delivery_folder_is_reported_not_skipped(world, tmp_path):
    landing = tmp_path / "landing"
    (landing / "events" / "dt=2026-02-30").mkdir(parents=True)
    settings = load_settings(
        {"REALPEOPLE_LANDING_DIR": str(landing), "REALPEOPLE_DATA_DIR": str(tmp_path)}
    )
    result = evaluate(settings, None)
    assert isinstance(result, SkipReason)
    assert "dt=2026-02-30" in result.skip_message and "not a valid date" in result.skip_message


def test_a_date_range_backfill_of_the_features_runs_in_one_process(world):
    settings = world["settings"]
    defs = build_definitions(settings)
    instance = DagsterInstance.ephemeral()
    for day in ("2026-11-13", "2026-11-14"):
        assert (
            defs.resolve_job_def("ingest_job")
            .execute_in_process(instance=instance, partition_key=day)
            .success
        )
    result = defs.resolve_job_def("features_job").execute_in_process(
        instance=instance,
        tags={
            "dagster/asset_partition_range_start": "2026-11-13",
            "dagster/asset_partition_range_end": "2026-11-14",
        },
    )
    assert result.success
    with duckdb.connect(settings.warehouse_path, read_only=True) as con:
        per_date = dict(
            con.execute(
                "select cast(run_date as varchar), count(*) from account_features group by 1"
            ).fetchall()
        )
    assert set(per_date) == {"2026-11-13", "2026-11-14"}
    assert all(n > 0 for n in per_date.values())


def test_the_first_tick_skips_deliveries_the_warehouse_already_holds(world, tmp_path):
    """After `make run`, the first `make ui` must not re-request every loaded delivery."""
    from realpeople.defs.ingest.loader import load_delivery

    landing = tmp_path / "landing"
    shutil.copytree(
        world["root"] / "all" / "events" / "dt=2026-11-13", landing / "events" / "dt=2026-11-13"
    )
    shutil.copytree(
        world["root"] / "all" / "events" / "dt=2026-11-14", landing / "events" / "dt=2026-11-14"
    )
    settings = load_settings(
        {"REALPEOPLE_LANDING_DIR": str(landing), "REALPEOPLE_DATA_DIR": str(tmp_path / "d")}
    )
    Path(settings.warehouse_path).parent.mkdir(parents=True)
    with duckdb.connect(settings.warehouse_path) as con:
        load_delivery(con, landing, "events", date(2026, 11, 13))
    result = evaluate(settings, None)
    assert [r.partition_key for r in result.run_requests] == ["2026-11-14"]


def test_a_loaded_delivery_publishes_its_date_and_the_deadline_is_watched(world):
    """The publish follows the delivery (not a clock): a successful ingest run of a date
    requests daily_job for that same date, once per ingest run; published_snapshot
    carries the publishing deadline as a freshness policy."""
    from dagster import AssetKey, build_run_status_sensor_context

    from realpeople.defs.automation import publish_after_delivery

    settings = world["settings"]
    defs = build_definitions(settings)
    instance = DagsterInstance.ephemeral()
    result = defs.resolve_job_def("ingest_job").execute_in_process(
        instance=instance,
        partition_key="2026-11-14",
        asset_selection=[AssetKey(["raw", "reviews"])],
    )
    assert result.success
    context = build_run_status_sensor_context(
        sensor_name="publish_after_delivery",
        dagster_instance=instance,
        dagster_run=result.dagster_run,
        dagster_event=result.get_run_success_event(),
    )
    request = publish_after_delivery(context)
    assert request.partition_key == "2026-11-14"
    assert request.run_key == f"publish:{result.run_id}"
    assert publish_after_delivery.job_name == "daily_job"
    policy = defs.resolve_asset_graph().get(AssetKey("published_snapshot")).freshness_policy
    assert policy.deadline_cron == f"0 {settings.publish_deadline_hour} * * *"


def test_the_first_model_is_trained_as_make_run_does(world, tmp_path):
    """No champion: the daemon requests training once per new feature date (the rule
    make run follows too, needs_training); before any features, it waits."""
    from realpeople.defs.automation import needs_training, train_when_no_champion

    settings = load_settings(
        {
            "REALPEOPLE_LANDING_DIR": str(world["landing"]),
            "REALPEOPLE_DATA_DIR": str(tmp_path / "data"),
        }
    )

    def tick():
        with build_sensor_context(resources={"settings": settings}) as context:
            return train_when_no_champion(context)

    assert "no features" in tick().skip_message
    assert needs_training(settings) == "no champion of account_authenticity is registered"
    defs = build_definitions(settings)
    instance = DagsterInstance.ephemeral()
    for day in ("2026-11-13", "2026-11-14"):
        assert (
            defs.resolve_job_def("ingest_job")
            .execute_in_process(instance=instance, partition_key=day)
            .success
        )
    assert (
        defs.resolve_job_def("features_job")
        .execute_in_process(instance=instance, partition_key="2026-11-14")
        .success
    )
    request = tick()
    assert request.run_key == "first-model:2026-11-14"
    assert request.tags["realpeople/trigger"] == needs_training(settings)
