"""The dbt resource carries dbt's environment: each build is started with the settings'
warehouse (and the call's run date), and nothing is left in this process's environment."""

import os

from realpeople.resources import dbt_resource
from realpeople.settings import load_settings


def _debug_output(resource, tmp_path, **env) -> str:
    """What ``dbt debug`` printed (it names the DuckDB path the profile resolved)."""
    invocation = resource.cli(
        ["debug"], raise_on_error=False, target_path=tmp_path / "target", **env
    )
    return "\n".join(
        str(event.raw_event.get("info", {}).get("msg", ""))
        for event in invocation.stream_raw_events()
    )


def test_each_dbt_process_gets_its_own_settings_and_the_process_keeps_none(tmp_path):
    before = dict(os.environ)
    first = load_settings({"REALPEOPLE_DATA_DIR": str(tmp_path / "first")})
    second = load_settings({"REALPEOPLE_DATA_DIR": str(tmp_path / "second")})

    said = _debug_output(
        dbt_resource(first), tmp_path / "a", env={"REALPEOPLE_RUN_DATE": "2026-11-15"}
    )
    assert f"path: {first.warehouse_path}" in said
    # The same process, another data dir: the first one's path did not outlive its call.
    said = _debug_output(dbt_resource(second), tmp_path / "b")
    assert f"path: {second.warehouse_path}" in said and first.warehouse_path not in said
    assert dict(os.environ) == before


def test_a_dbt_command_loads_no_dbt_adapter_in_this_process(tmp_path):
    """dagster-dbt would load dbt's project, profile and adapter here before every command
    (seconds per build), for column metadata no asset asks for: the command runs without."""
    settings = load_settings({"REALPEOPLE_DATA_DIR": str(tmp_path / "data")})
    invocation = dbt_resource(settings).cli(["parse"], target_path=tmp_path / "target")
    assert invocation.adapter is None
    assert invocation.wait().is_successful()


def test_the_dbt_version_is_what_dbt_says_without_starting_dbt(tmp_path, monkeypatch):
    """dagster-dbt asks the version before a process's first command; for the environment's
    own dbt it comes from the package metadata, and it is the version dbt itself reports."""
    import re
    import subprocess

    from realpeople import resources

    said = subprocess.check_output([resources.dbt_executable(), "--version"]).decode()
    reported = re.search(r"installed:\s*(\d+\.\d+\.\d+)", said).group(1)
    resources._dbt_version_output.cache_clear()

    def no_dbt_process(*args, **kwargs):
        raise AssertionError(f"dbt started: {args}")

    monkeypatch.setattr(resources.subprocess, "check_output", no_dbt_process)
    settings = load_settings({"REALPEOPLE_DATA_DIR": str(tmp_path / "data")})
    assert str(dbt_resource(settings)._cli_version) == reported
