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
