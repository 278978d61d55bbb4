"""Great Expectations on the raw events of a delivery, as a (warning) asset check."""


from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    MetadataValue,
    asset_check,
)
from dagster_duckdb import DuckDBResource

from orchestration.ingest.assets import RAW_KEYS
from orchestration.ingest.loader import sql
from orchestration.partitions import delivery_date_partitions
from orchestration.settings import Settings


@asset_check(
    asset=RAW_KEYS["events"],
    name="raw_events_contract",
    partitions_def=delivery_date_partitions,
    description=("Great Expectations suite `raw_events` on the delivery's loaded rows. "
                 "Warning: row-level problems are already quarantined at load."),
)
def raw_events_contract(context: AssetCheckExecutionContext, settings: Settings,
                        warehouse: DuckDBResource) -> AssetCheckResult:
    from expectations.runner import validate_frame, write_report

    delivery_date = context.partition_key
    with warehouse.get_connection() as con:
        frame = con.execute(sql("raw_events_of_delivery.sql"), {"delivery_date": delivery_date}).df()
    summary = validate_frame(frame, "raw_events", batch_id=f"raw_events_dt={delivery_date}")
    report = write_report(summary, settings.reports_dir / "gx" / "raw_events")
    return AssetCheckResult(
        # Row-level problems are quarantined at load; what remains is worth a look, not a stop.
        passed=summary.success, severity=AssetCheckSeverity.WARN,
        metadata={"rows": len(frame), "expectations_evaluated": summary.evaluated,
                  "failed": MetadataValue.md(summary.to_markdown()),
                  "report": MetadataValue.path(str(report))})
