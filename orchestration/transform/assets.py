"""Features: every dbt model (staging -> intermediate -> ``account_features``) as an asset.

Grain: a partition is a run date; ``dbt build --vars '{run_date: ...}'`` rebuilds the
views and replaces that date's rows of the incremental ``account_features`` mart. dbt
tests run in the same build and show up as asset checks. A backfill over a range of
dates runs as one process (single-run backfill policy).
"""


import json
import os
from collections.abc import Mapping
from typing import Any

from dagster import AssetExecutionContext
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from orchestration.partitions import DUCKDB_WRITER_POOL, delivery_date_partitions
from orchestration.settings import Settings
from orchestration.transform.project import dbt_project, ensure_manifest


class FeaturesTranslator(DagsterDbtTranslator):
    """Every dbt model sits in the ``features`` group, owned by data engineering."""

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return "features"

    def get_owners(self, dbt_resource_props: Mapping[str, Any]):
        return ["team:data-engineering"]


@dbt_assets(
    manifest=ensure_manifest(),
    project=dbt_project,
    partitions_def=delivery_date_partitions,
    dagster_dbt_translator=FeaturesTranslator(),
    pool=DUCKDB_WRITER_POOL,
)
def realpeople_dbt_models(context: AssetExecutionContext, dbt: DbtCliResource, settings: Settings):
    # profiles.yml reads the warehouse path and DuckDB limits from these variables;
    # dbt runs as a subprocess and inherits them.
    os.environ.update(settings.subprocess_env())
    os.environ["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
    # A backfill over a date range arrives as one run (single-run backfill policy, the
    # dagster-dbt default for daily partitions): build each date in order, in this one
    # process, and report the models once, from the last date's build.
    run_dates = context.partition_keys
    for run_date in run_dates[:-1]:
        context.log.info(f"dbt build for run date {run_date}")
        dbt.cli(["build", "--vars", json.dumps(settings.dbt_vars(run_date))], context=context).wait()
    last = settings.dbt_vars(run_dates[-1])
    yield from dbt.cli(["build", "--vars", json.dumps(last)], context=context).stream()
