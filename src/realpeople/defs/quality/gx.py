"""The one factory for every Great Expectations asset check of the pipeline.

Each check reads its table for a partition (``load``), runs the suite's GX Checkpoint in
the file-backed Data Context under ``<data>/gx`` (:mod:`realpeople.expectations`), and
turns the result into an asset check result: the failing expectations with sample
values, counts that read right when the check passes, and a link to this validation's
page in Data Docs, where every earlier validation stays too.

Grain: one check result per partition (a delivery date or a run date); a single-run
backfill validates each of its dates and reports the first failure, else the last date.
"""

from collections.abc import Callable

import pandas as pd
from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetKey,
    AutomationCondition,
    MetadataValue,
    ResourceParam,
    asset_check,
)
from dagster_duckdb import DuckDBResource

from realpeople.partitions import DUCKDB_WRITER_POOL, delivery_date_partitions
from realpeople.settings import Settings

# (warehouse, settings, partition key) -> the frame to validate and the suite parameters
Loader = Callable[[DuckDBResource, Settings, str], tuple[pd.DataFrame, dict]]


def summary_metadata(summary, rows: int) -> dict:
    """What the UI shows for a GX check: counts, the outcome, the Data Docs page, and the
    failing expectations with sample values only when there are any (so a passing check
    shows ``expectations_failed: 0``, not a key named "failed")."""
    failing = {
        f"{f.expectation}({f.column or ''})": {
            "unexpected_count": f.unexpected_count,
            "sample": f.sample,
            "observed": f.observed_value,
            "error": f.exception,
        }
        for f in summary.failed
    }
    metadata = {
        "rows": rows,
        "expectations_evaluated": summary.evaluated,
        "expectations_failed": len(summary.failed),
        "outcome": MetadataValue.md(summary.to_markdown()),
    }
    if summary.docs_url:
        metadata["data_docs"] = MetadataValue.url(summary.docs_url)
    if failing:
        metadata["failing_expectations"] = MetadataValue.json(failing)
    return metadata


def gx_asset_check(
    *,
    asset: AssetKey,
    name: str,
    suite: str,
    description: str,
    blocking: bool,
    load: Loader,
    partition_name: str = "run_date",
    automation_condition: AutomationCondition | None = None,
) -> AssetChecksDefinition:
    """An asset check that validates ``asset``'s partition against ``suite``.

    ``blocking``: a failure is an ERROR that stops what depends on the asset; otherwise a
    WARN that is reported and does not stop the run. ``partition_name`` names the
    partition in the batch id (``<suite>_<partition_name>=<key>``) that Data Docs show.
    ``automation_condition``: when the check runs on its own (None: with its asset).
    """
    severity = AssetCheckSeverity.ERROR if blocking else AssetCheckSeverity.WARN

    # In the writer pool: DuckDB lets no other process open the file while a writer has it.
    @asset_check(
        asset=asset,
        name=name,
        blocking=blocking,
        partitions_def=delivery_date_partitions,
        pool=DUCKDB_WRITER_POOL,
        description=description,
        automation_condition=automation_condition,
    )
    def _check(
        context: AssetCheckExecutionContext,
        settings: ResourceParam[Settings],
        warehouse: DuckDBResource,
    ) -> AssetCheckResult:
        from realpeople.expectations.runner import validate_frame

        log = context.log.error if blocking else context.log.warning
        outcome = None
        for key in context.partition_keys:
            frame, params = load(warehouse, settings, key)
            summary = validate_frame(
                frame,
                suite,
                extra_params=params,
                gx_root=settings.gx_dir,
                batch_id=f"{suite}_{partition_name}={key}",
            )
            failures = []
            for failure in summary.failed:
                # a table-level expectation (row count) has an observed value, not rows
                found = (
                    f"{failure.unexpected_count} unexpected, e.g. {failure.sample[:3]}"
                    if failure.column
                    else f"observed {failure.observed_value!r}"
                )
                failures.append(
                    f"{failure.expectation} on {failure.column or 'the table'} failed: {found}"
                )
                log(f"{suite} {partition_name}={key}: {failures[-1]}")
            outcome = AssetCheckResult(
                passed=summary.success,
                severity=severity,
                # what `make run` prints when a blocking check fails: the first failures
                description="; ".join(failures[:3]) or None,
                metadata={**summary_metadata(summary, len(frame)), partition_name: key},
            )
            if not summary.success:
                break
        return outcome

    return _check
