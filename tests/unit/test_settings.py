"""Settings: one declaration (``SETTINGS``), read from the environment, never from run config."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest

from realpeople.settings import SETTINGS, Settings, load_settings, settings_table

ROOT = Path(__file__).resolve().parents[2]


def test_every_field_is_declared_once_with_its_variable():
    assert [f.name for f in fields(Settings)] == list(SETTINGS)
    envs = [s.env for s in SETTINGS.values()]
    assert len(envs) == len(set(envs))


def test_defaults_come_from_the_declaration():
    settings = load_settings({})
    assert settings.feature_window_days == int(SETTINGS["feature_window_days"].default)
    assert settings.brake_factor == float(SETTINGS["brake_factor"].default)
    assert settings.engine == SETTINGS["engine"].default


def test_a_variable_overrides_its_default_and_derived_paths_follow_the_data_dir(tmp_path):
    settings = load_settings({"REALPEOPLE_DATA_DIR": str(tmp_path), "REALPEOPLE_BRAKE_FACTOR": "5"})
    assert settings.brake_factor == 5.0
    assert settings.warehouse_path == str(tmp_path / "warehouse.duckdb")
    assert settings.dagster_home == str(tmp_path / "dagster_home")
    # An empty variable is unset (a blank line in an env file must not blank a path).
    assert load_settings({"REALPEOPLE_BRAKE_FACTOR": ""}).brake_factor == 3.0


@pytest.mark.parametrize(
    ("env", "value", "message"),
    [
        (
            "REALPEOPLE_ENGINE",
            "oracle",
            "REALPEOPLE_ENGINE='oracle': expected one of duckdb, spark",
        ),
        (
            "REALPEOPLE_FEATURE_WINDOW_DAYS",
            "four weeks",
            "REALPEOPLE_FEATURE_WINDOW_DAYS='four weeks': expected int",
        ),
        ("REALPEOPLE_BRAKE_FACTOR", "x3", "REALPEOPLE_BRAKE_FACTOR='x3': expected float"),
    ],
)
def test_a_bad_value_fails_naming_the_variable(env, value, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_settings({env: value})


def test_settings_are_frozen():
    settings = load_settings({})
    with pytest.raises(AttributeError):
        settings.brake_factor = 100.0  # type: ignore[misc]


def test_the_readme_table_is_the_declaration():
    assert settings_table() in (ROOT / "README.md").read_text()


def test_no_run_config_can_change_a_setting(tmp_path):
    """The settings resource is a plain value: whatever a launchpad's run config says for
    it, a run gets the settings the deployment's environment gave."""
    from dagster import build_resources

    from realpeople.resources import build_resources as realpeople_resources

    settings = load_settings({"REALPEOPLE_DATA_DIR": str(tmp_path)})
    resource = realpeople_resources(settings)["settings"]
    with build_resources(
        {"settings": resource}, resource_config={"settings": {"config": {"brake_factor": 1000.0}}}
    ) as built:
        assert built.settings is settings
        assert built.settings.brake_factor == 3.0


def test_dbt_project_var_defaults_are_the_settings_defaults():
    """dbt_project.yml repeats, for a bare `dbt` call, the vars the pipeline passes:
    they must agree with the settings' defaults (and the contract's late days)."""
    import yaml

    from realpeople.settings import DBT_PROJECT_DIR

    project = yaml.safe_load((Path(DBT_PROJECT_DIR) / "dbt_project.yml").read_text())
    passed = load_settings({}).dbt_vars()
    assert {name: project["vars"][name] for name in passed} == passed
