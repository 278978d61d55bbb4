"""Features: every dbt model (staging -> intermediate -> ``account_features``) as an asset.

Grain: a partition is a run date; ``dbt build`` with ``REALPEOPLE_RUN_DATE`` set to it
rebuilds the views and replaces that date's rows of the incremental ``account_features``
mart. dbt
tests run in the same build and show up as asset checks. A backfill over a range of
dates runs as one process (single-run backfill policy).

The engine (``REALPEOPLE_ENGINE``) picks the dbt target: ``duckdb`` builds in the DuckDB
warehouse; ``spark`` builds on Spark from the raw Parquet export, then copies each run
date's mart partition into DuckDB's ``account_features`` for the Python stages
(``serve.py``).
"""

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from dagster import AssetExecutionContext, AssetMaterialization, Output, ResourceParam
from dagster_dbt import DagsterDbtTranslator, dbt_assets
from dagster_duckdb import DuckDBResource

from realpeople.defs.features.builds import (
    build_inputs,
    mart_drift,
    record_build,
    supersede_mart,
    tables_to_rebuild,
)
from realpeople.defs.features.clustered import write_cluster_features
from realpeople.defs.features.parse_state import invocation_target, keep_parse_state
from realpeople.defs.features.project import dbt_project, ensure_manifest
from realpeople.defs.features.serve import serve_spark_mart
from realpeople.partitions import DUCKDB_WRITER_POOL, delivery_date_partitions
from realpeople.progress import Progress
from realpeople.resources import RealPeopleDbtCliResource
from realpeople.settings import Settings


class FeaturesTranslator(DagsterDbtTranslator):
    """Every dbt model sits in the ``features`` group, owned by data engineering."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return "features"

    def get_owners(self, dbt_resource_props: Mapping[str, Any]):
        return ["team:data-engineering"]

    def get_description(self, dbt_resource_props: Mapping[str, Any]) -> str:
        """The model's own description, and what one of its partitions means: only the
        mart keeps a row set per run date; the others hold the state of the run date
        built last (every date is built in one dbt invocation, views and mart together,
        so they share the mart's partitions)."""
        own = super().get_description(dbt_resource_props)
        config = dbt_resource_props.get("config", {})
        if dbt_resource_props.get("name") == "account_features":
            grain = "Keeps every run date: one partition is that date's rows."
        elif config.get("materialized") == "incremental":
            grain = (
                "Kept by event day, not by run date (incremental): a partition shows the "
                "run date whose build last updated it."
            )
        else:
            grain = (
                f"A {config.get('materialized', 'view')} as of the run date built last: a "
                "partition shows when that date was built, the object holds the newest build."
            )
        return f"{own}\n\n{grain}" if own else grain


@dbt_assets(
    manifest=ensure_manifest(),
    project=dbt_project,
    partitions_def=delivery_date_partitions,
    dagster_dbt_translator=FeaturesTranslator(),
    pool=DUCKDB_WRITER_POOL,
)
def realpeople_dbt_models(
    context: AssetExecutionContext,
    dbt: RealPeopleDbtCliResource,
    settings: ResourceParam[Settings],
    warehouse: DuckDBResource,
):
    # A backfill over a date range arrives as one run (single-run backfill policy, the
    # dagster-dbt default for daily partitions): build each date in order, in this one
    # process, and report the models once, from the last date's build.
    run_dates = context.partition_keys
    target = ["--target", settings.dbt_target]
    # The run date goes in the environment, not in --vars: changed vars make dbt re-parse
    # the whole project, so every daily build would; with the vars constant, each build
    # starts from the parse state the previous one left (parse_state.py).
    dbt_vars = ["--vars", json.dumps(settings.dbt_vars())]
    # dbt's unit tests check the SQL against fixed inputs: they cannot fail on a
    # delivery, so a run does not repeat them (dbt's advice for production builds). They
    # run in `make test` (tests/integration/test_dbt_features.py builds with them) and on
    # Spark in `make test-spark`. About 8 s of every build (docs/benchmarks.md, stop 30).
    no_unit_tests = ["--exclude-resource-type", "unit_test"]
    # What this build reads, fingerprinted before dbt starts (a delivery loading meanwhile
    # must make the next run rebuild): recorded per date once its build succeeded.
    with warehouse.get_connection() as con:
        inputs = build_inputs(con, settings)
        # A warehouse from before the incremental layer holds those models as plain
        # tables: rebuild them once from scratch (the mart keeps its history).
        outdated = (
            tables_to_rebuild(con, json.loads(Path(dbt_project.manifest_path).read_text()))
            if settings.engine == "duckdb"
            else []
        )
        # A mart built by another version (a feature added, dropped or renamed): set
        # aside, and built again with this version's columns (builds.mart_drift).
        drift = mart_drift(con) if settings.engine == "duckdb" else None
        if drift is not None:
            context.log.warning(
                f"{drift.describe()}; kept as account_features_superseded, and every "
                "snapshot is built again by this version (the run policy plans the "
                "ones training needs)"
            )
            supersede_mart(con)
    if outdated:
        context.log.warning(
            f"incremental tables built by an earlier version: {', '.join(outdated)}; "
            "this build is a full refresh of the incremental layer"
        )
    for run_date in run_dates:
        context.log.info(f"dbt build for run date {run_date} on {settings.engine}")
        folder = invocation_target(settings.dbt_target_dir, f"{context.run.run_id[:8]}-{run_date}")
        refresh = ["--full-refresh"] if outdated and run_date == run_dates[0] else []
        # The warehouse path and limits come with the resource (built from the settings);
        # the run date with this call.
        invocation = dbt.cli(
            ["build", *target, *dbt_vars, *no_unit_tests, *refresh],
            env=settings.dbt_run_env(run_date),
            context=context,
            target_path=folder,
        )
        if run_date != run_dates[-1]:
            invocation.wait()
        else:
            # Models built n/N on the terminal (make run), as dbt reports each one.
            with Progress(
                f"dbt models as of {run_date}",
                total=len(context.selected_asset_keys),
                unit="models",
            ) as bar:
                for event in invocation.stream():
                    if isinstance(event, (Output, AssetMaterialization)):
                        bar.advance()
                    yield event
        # wait()/stream() raise if the build failed: only a good build's state is kept.
        keep_parse_state(settings.dbt_target_dir, folder)
        # Now, not later: the co-targeting view is as of this build's date. (On Spark the
        # view is not in DuckDB: the date gets no rows and the model degrades.)
        with warehouse.get_connection() as con:
            done = write_cluster_features(
                con,
                run_date,
                settings.feature_window_days,
                in_duckdb=settings.engine == "duckdb",
            )
        log = context.log.info if done["accounts"] else context.log.warning
        log(f"account_cluster_features: {done}")
        if inputs is not None:
            with warehouse.get_connection() as con:
                record_build(con, run_date, inputs)
    if settings.engine == "spark":
        with warehouse.get_connection() as con:
            for run_date in run_dates:
                rows = serve_spark_mart(con, settings.spark_table_dir("account_features"), run_date)
                context.log.info(
                    f"account_features {run_date}: {rows} rows copied from Spark to DuckDB"
                )
