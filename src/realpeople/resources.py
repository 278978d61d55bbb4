"""Resources built from :class:`realpeople.settings.Settings`."""

from __future__ import annotations

import functools
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from dagster import ResourceDefinition
from dagster_dbt import DbtCliResource
from dagster_duckdb import DuckDBResource
from pydantic import Field

from realpeople.settings import DBT_PROJECT_DIR, Settings


def warehouse_resource(settings: Settings) -> DuckDBResource:
    """The DuckDB warehouse, with a memory cap and a spill folder (see settings)."""
    Path(settings.warehouse_path).parent.mkdir(parents=True, exist_ok=True)
    settings.duckdb_temp_dir.mkdir(parents=True, exist_ok=True)
    return DuckDBResource(
        database=settings.warehouse_path, connection_config=settings.duckdb_config()
    )


def dbt_executable() -> str:
    """dbt from this interpreter's environment, so `make` need not put the venv on PATH."""
    beside = Path(sys.executable).parent / "dbt"
    return str(beside) if beside.exists() else (shutil.which("dbt") or "dbt")


@functools.cache
def _dbt_version_output(executable: str) -> str:
    """What ``dbt --version`` says (dagster-dbt reads the version from it). For this
    environment's own dbt (:func:`dbt_executable` beside the interpreter), the installed
    dbt-core's version from its package metadata: the same answer without starting dbt,
    which took 2.5-4.7 s before the first build of every process (each daemon run is one)."""
    if Path(executable) == Path(sys.executable).parent / "dbt":
        from importlib.metadata import version

        return f"Core:\n  - installed: {version('dbt-core')}\n"
    return subprocess.check_output([executable, "--version"]).decode("utf-8")


class RealPeopleDbtCliResource(DbtCliResource):
    """dagster-dbt's dbt CLI resource, carrying the environment dbt runs with.

    - ``env``: what ``profiles.yml`` and the models read (the warehouse path, DuckDB's
      limits, the raw Parquet folder), built from the settings with the resource. Each
      :meth:`cli` call starts dbt with it, plus the call's own ``env`` (the run date).
      dagster-dbt builds dbt's environment from ``os.environ`` and takes none per call
      (its maintainers declined one, dagster PR 29656, and advise a scoped
      ``environ``), so the resource applies it only around the start of dbt's
      process, through dagster's own ``environ``, and restores it at once: nothing leaks
      into a later run of the same process (the CLI, a test, another data dir).
    - ``dbt --version`` is answered once per process instead of once per run, and from
      the package metadata when dbt is this environment's own (:func:`_dbt_version_output`):
      each ask started a dbt process (~3-4 s on a loaded 2-core machine).
    - No dbt adapter in Dagster's process. dagster-dbt builds one before each command
      (dbt's project, profile and the DuckDB adapter, loaded in this process) only for
      ``fetch_column_metadata`` and ``fetch_row_counts``, which no asset here calls:
      2.3 s in a fresh process and 0.7 s after, measured, before every build, while dbt
      itself starts in its own process anyway (docs/benchmarks.md, stop 33).
    """

    env: dict[str, str] = Field(default_factory=dict)

    def cli(self, args, *, env: Mapping[str, str] | None = None, **kwargs):
        """``DbtCliResource.cli`` with the resource's environment and the call's ``env``
        (the subprocess is started inside; streaming its events needs neither)."""
        from dagster_shared.utils import environ

        with environ({**self.env, **(env or {})}):
            return super().cli(args, **kwargs)

    def _initialize_dbt_core_adapter(self, args):
        """No adapter (None): only the metadata fetchers above need one, and
        DbtCliInvocation takes None, as it does for dbt Fusion."""

    @property
    def _cli_version(self):
        import re

        from packaging import version

        output = _dbt_version_output(self.dbt_executable).strip()
        match = re.search(r"(\d+\.\d+\.\d+)", output)
        if not match:
            raise ValueError(f"Could not parse dbt version from output: {output}")
        return version.parse(match.group(1))


def dbt_resource(settings: Settings) -> RealPeopleDbtCliResource:
    """dbt on this project, with the settings' environment (see the class)."""
    return RealPeopleDbtCliResource(
        project_dir=str(DBT_PROJECT_DIR),
        profiles_dir=str(DBT_PROJECT_DIR),
        dbt_executable=dbt_executable(),
        env=settings.dbt_env(),
    )


def build_resources(settings: Settings) -> dict:
    return {
        # A plain value, not a configurable resource: no run config can change a setting
        # (the brake, the thresholds, the tracking URI come from the deployment only).
        "settings": ResourceDefinition.hardcoded_resource(
            settings, "RealPeople settings, read from the environment (realpeople.settings)"
        ),
        "warehouse": warehouse_resource(settings),
        "dbt": dbt_resource(settings),
    }
