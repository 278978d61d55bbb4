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
from realpeople.partitions import add_delivery_dates
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
    # The new date becomes a partition in the same tick (partitions are the deliveries).
    assert [list(r.partition_keys) for r in dropped.dynamic_partitions_requests] == [["2026-11-15"]]
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
    instance = DagsterInstance.ephemeral()
    add_delivery_dates(instance, [request.partition_key])
    result = defs.resolve_job_def("ingest_job").execute_in_process(
        instance=instance,
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
    add_delivery_dates(instance, ["2026-11-13", "2026-11-14"])
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


def test_the_run_policy_builds_the_run_date_trains_and_publishes_nothing_else(world, tmp_path):
    """The daemon's and `make run`'s one policy (defs/policy.py), ticked through the
    run_policy sensor as both roads tick it, on a real instance and warehouse: after two
    deliveries load, it asks for the features of the run date (and of the catch-up
    snapshots training needs) and nothing else; with no champion
    yet, the first model waits for those features and the publication for the model.
    Dagster's own test evaluator of the same conditions agrees."""
    from dagster import evaluate_automation_conditions, partition_loading_context

    from realpeople.cli import plan_runs, policy_tick, requested_by
    from realpeople.defs.model.snapshots import snapshots_to_build
    from realpeople.defs.policy import POLICY_TARGET, pipeline_dates

    landing = tmp_path / "landing"
    for table in ("accounts", "events", "reviews", "appeals"):
        for day in ("2026-11-13", "2026-11-14"):
            src = world["root"] / "all" / table / f"dt={day}"
            if src.exists():
                shutil.copytree(src, landing / table / f"dt={day}")
    settings = load_settings(
        {"REALPEOPLE_LANDING_DIR": str(landing), "REALPEOPLE_DATA_DIR": str(tmp_path / "data")}
    )
    defs = build_definitions(settings)
    instance = DagsterInstance.ephemeral()

    def evaluated(cursor):
        """Dagster's test evaluator of the same conditions: key -> requested partitions."""
        result = evaluate_automation_conditions(
            defs=defs, instance=instance, asset_selection=POLICY_TARGET, cursor=cursor
        )
        with partition_loading_context(dynamic_partitions_store=instance):
            requested = {
                r.key: sorted(r.true_subset.expensively_compute_partition_keys())
                if r.true_subset.partitions_def is not None
                else [None]
                for r in result.results
                if not r.true_subset.is_empty
            }
        return result.cursor, requested

    baseline = policy_tick(defs, instance, None)
    assert not baseline.run_requests  # nothing loaded: nothing to build
    evaluator_cursor, requested = evaluated(None)
    assert requested == {}
    add_delivery_dates(instance, ["2026-11-13", "2026-11-14"])
    for day in ("2026-11-13", "2026-11-14"):
        assert (
            defs.resolve_job_def("ingest_job")
            .execute_in_process(instance=instance, partition_key=day)
            .success
        )
        if day == "2026-11-13":
            # A backlog loading date by date: nothing is built while a delivery that
            # landed is still to load (2026-11-13 is not the run date).
            baseline = policy_tick(defs, instance, baseline.cursor)
            assert not baseline.run_requests
            assert pipeline_dates(settings) is None
    dates = pipeline_dates(settings)
    assert dates.run_date == date(2026, 11, 14) and not dates.features_current
    with duckdb.connect(settings.warehouse_path, read_only=True) as con:
        catch_up = snapshots_to_build(con, date(2026, 11, 13), dates.run_date, 28)
    assert list(dates.catch_up) == catch_up

    tick = policy_tick(defs, instance, baseline.cursor)
    requested = requested_by(tick.run_requests)
    graph = defs.resolve_asset_graph()
    assert {graph.get(k).group_name for k in requested} == {"features"}  # and nothing else
    features = {k: v for k, v in requested.items() if k == AssetKey("account_features")}
    assert features == {
        AssetKey("account_features"): sorted({"2026-11-14", *(d.isoformat() for d in catch_up)})
    }
    # No champion yet: the first model waits for these features, and the publication
    # for the first model (the next ticks ask for them: tests/conformance/test_run_policy_days.py).
    assert evaluated(evaluator_cursor)[1] == requested
    runs = [(job, day) for job, day, *_ in plan_runs(defs, requested)]
    assert runs == [
        *(("features_job", d) for d in sorted({"2026-11-14", *(c.isoformat() for c in catch_up)})),
    ]

    # A run that fails is not tried again on every tick (the daemon ticks every 30 s): the
    # run date's features wait for new data; the other dates' requests stand.
    with duckdb.connect(settings.warehouse_path) as con:
        con.execute("alter table raw.events rename to events_away")
    failed = defs.resolve_job_def("features_job").execute_in_process(
        instance=instance, partition_key="2026-11-14", raise_on_error=False
    )
    assert not failed.success
    with duckdb.connect(settings.warehouse_path) as con:
        con.execute("alter table raw.events_away rename to events")
    after = requested_by(policy_tick(defs, instance, tick.cursor).run_requests)
    assert "2026-11-14" not in after.get(AssetKey("account_features"), [])
    assert after.get(AssetKey("account_features"), []) == [c.isoformat() for c in catch_up]


def test_the_policy_runs_in_the_daemon_and_the_deadline_is_watched(world):
    """One sensor evaluates the policy, on the code server (its conditions read the
    warehouse and MLflow); no run-status sensor makes a second policy beside it; the
    publishing deadline is a freshness policy on published_snapshot."""
    from dagster import AutomationConditionSensorDefinition
    from dagster._core.definitions.sensor_definition import SensorType

    settings = world["settings"]
    defs = build_definitions(settings)
    sensors = {s.name: s for s in defs.sensors}
    assert set(sensors) == {"new_deliveries_sensor", "run_policy"}
    assert isinstance(sensors["run_policy"], AutomationConditionSensorDefinition)
    assert sensors["run_policy"].sensor_type == SensorType.AUTOMATION  # on the code server
    graph = defs.resolve_asset_graph()
    assert graph.get(AssetKey("account_authenticity_model")).automation_condition is not None
    policy = graph.get(AssetKey("published_snapshot")).freshness_policy
    assert policy.deadline_cron == f"0 {settings.publish_deadline_hour} * * *"
