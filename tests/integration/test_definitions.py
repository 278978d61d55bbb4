"""The Definitions load (so a broken import never reaches the UI) and read as the pipeline."""

from dagster import AssetKey, Definitions

from realpeople.definitions import build_definitions, defs
from realpeople.settings import load_settings


def test_definitions_load():
    """What dg and the webserver load: the lazy ``defs`` of realpeople.definitions."""
    Definitions.validate_loadable(defs())


def test_asset_graph_reads_as_the_pipeline(tmp_path):
    built = build_definitions(load_settings({"REALPEOPLE_DATA_DIR": str(tmp_path)}))
    graph = built.resolve_asset_graph()
    group = {
        key.to_user_string(): graph.get(key).group_name for key in graph.materializable_asset_keys
    }
    assert {group[f"raw/{t}"] for t in ("accounts", "events", "reviews", "appeals")} == {"ingest"}
    assert group["account_features"] == group["stg_activity__events"] == "features"
    assert group["account_authenticity_model"] == group["account_scores"] == "model"
    assert {group[k] for k in ("enforcement_list", "compliance_metrics", "published_snapshot")} == {
        "publish"
    }

    def upstream(key: str) -> set[str]:
        seen, todo = set(), [AssetKey.from_user_string(key)]
        while todo:
            for parent in graph.get(todo.pop()).parent_keys:
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return {k.to_user_string() for k in seen}

    # Lineage runs landing -> raw -> dbt -> model -> scores -> list -> published files.
    assert {
        "raw/events",
        "account_features",
        "account_authenticity_model",
        "account_scores",
        "enforcement_list",
        "compliance_metrics",
    } <= upstream("published_snapshot")
    assert "raw/events" in upstream("account_features")
    # The enforcement list's contract check blocks publishing.
    check_keys = graph.get(AssetKey("enforcement_list")).check_keys
    checks = {key.name: graph.get_check_spec(key) for key in check_keys}
    assert checks["enforcement_list_contract"].blocking


def test_settings_paths_follow_the_data_dir(tmp_path):
    settings = load_settings({"REALPEOPLE_DATA_DIR": str(tmp_path)})
    assert settings.warehouse_path == str(tmp_path / "warehouse.duckdb")
    assert settings.mlflow_tracking_uri == f"sqlite:///{tmp_path / 'mlflow' / 'mlflow.db'}"
    assert settings.dagster_home == str(tmp_path / "dagster_home")
    assert settings.landing_dir.endswith("data/landing")


def test_each_delivery_is_checked_by_its_load_and_no_gx_suite_reads_raw(tmp_path):
    """Each delivery's load checks itself in SQL (rows_reconcile, files_accepted,
    value_formats), in the ingest run; no job holds a check of the raw assets besides
    those: every raw row was validated at load, so no Great Expectations pass reads them
    again (issue 15)."""
    built = build_definitions(load_settings({"REALPEOPLE_DATA_DIR": str(tmp_path)}))

    def checks(job: str) -> set[str]:
        graph = built.resolve_job_def(job).asset_layer.asset_graph
        return {f"{k.asset_key.to_user_string()}:{k.name}" for k in graph.asset_check_keys}

    tables = ("accounts", "events", "reviews", "appeals")
    loads = {
        f"raw/{t}:{name}"
        for t in tables
        for name in ("rows_reconcile", "files_accepted", "value_formats")
    }
    assert checks("ingest_job") == loads
    for job in ("features_job", "publish_job", "daily_job"):
        assert not {c for c in checks(job) if c.startswith("raw/")}, job


def test_an_ingest_run_of_part_of_a_delivery_keeps_the_jobs_checks(tmp_path):
    """`make run` and the delivery sensor load only the changed tables of a delivery: the
    run holds those tables' load checks and nothing else."""
    from realpeople.defs.ingest.assets import ingest_selection

    keys, checks = ingest_selection(["reviews", "events"])
    assert [k.to_user_string() for k in keys] == ["raw/events", "raw/reviews"]
    assert {c.name for c in checks} == {"rows_reconcile", "files_accepted", "value_formats"}
    built = build_definitions(load_settings({"REALPEOPLE_DATA_DIR": str(tmp_path)}))
    subset = built.resolve_job_def("ingest_job").get_subset(
        asset_selection=set(keys), asset_check_selection=set(checks)
    )
    assert set(subset.asset_layer.asset_graph.asset_check_keys) == set(checks)
