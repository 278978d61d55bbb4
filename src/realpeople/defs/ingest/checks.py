"""Great Expectations on the raw rows of a delivery, one (warning) asset check per table.

Row-level problems are already quarantined at load (``sql/validate_<table>.sql``); what
these suites look at is what got through: a mostly-bad column, a suspicious empty
delivery, foreign formats. Worth a look, not a stop: severity WARN. Each result names
the failing expectation with sample values, and writes an HTML report under
``<data>/reports/gx/raw_<table>/``.
"""


from dagster import (
    ResourceParam,
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    MetadataValue,
    asset_check,
)
from dagster_duckdb import DuckDBResource

from realpeople.defs.ingest.assets import RAW_KEYS
from realpeople.contract import TABLES
from realpeople.defs.ingest.loader import sql
from realpeople.partitions import DUCKDB_WRITER_POOL, delivery_date_partitions
from realpeople.settings import Settings


def summary_metadata(summary, report, rows: int) -> dict:
    """What the UI shows for a GX check: counts, then the failing expectations with sample
    values. Keys read right either way: a passing check shows ``expectations_failed: 0``
    and a table that says every expectation passed."""
    failing = {f"{f.expectation}({f.column or ''})": {
        "unexpected_count": f.unexpected_count, "sample": f.sample,
        "observed": f.observed_value, "error": f.exception} for f in summary.failed}
    metadata = {"rows": rows, "expectations_evaluated": summary.evaluated,
                "expectations_failed": len(summary.failed),
                "outcome": MetadataValue.md(summary.to_markdown()),
                "report": MetadataValue.path(str(report))}
    if failing:
        metadata["failing_expectations"] = MetadataValue.json(failing)
    return metadata


def build_raw_contract_check(table: str):
    suite = f"raw_{table}"

    # In the writer pool: DuckDB lets no other process open the file while a writer has it.
    @asset_check(
        asset=RAW_KEYS[table],
        name=f"raw_{table}_contract",
        partitions_def=delivery_date_partitions,
        pool=DUCKDB_WRITER_POOL,
        description=(f"Great Expectations suite `{suite}` on the delivery's loaded rows. "
                     "Warning: row-level problems are already quarantined at load."),
    )
    def _check(context: AssetCheckExecutionContext, settings: ResourceParam[Settings],
               warehouse: DuckDBResource) -> AssetCheckResult:
        from realpeople.expectations.runner import validate_frame, write_report

        delivery_date = context.partition_key
        with warehouse.get_connection() as con:
            frame = con.execute(sql(f"raw_{table}_of_delivery.sql"),
                                {"delivery_date": delivery_date}).df()
        summary = validate_frame(frame, suite, batch_id=f"{suite}_dt={delivery_date}")
        report = write_report(summary, settings.reports_dir / "gx" / suite)
        for failure in summary.failed:
            context.log.warning(f"{suite} dt={delivery_date}: {failure.expectation} on "
                                f"{failure.column or 'the table'} failed: "
                                f"{failure.unexpected_count} unexpected, e.g. {failure.sample[:3]}")
        return AssetCheckResult(passed=summary.success, severity=AssetCheckSeverity.WARN,
                                metadata=summary_metadata(summary, report, len(frame)))

    return _check


raw_contract_checks = [build_raw_contract_check(table) for table in TABLES]
