"""Publishing: the enforcement list, the compliance metrics, and the files for a run date.

``enforcement_list`` and ``compliance_metrics`` are warehouse tables (history of every
run date). ``published_snapshot`` writes the contract's files under
``<data>/published/<run date>/`` only after the enforcement list passed its blocking
Great Expectations check; the folder is replaced atomically.
"""


from pathlib import Path

import pandas as pd
from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetExecutionContext,
    AssetKey,
    MaterializeResult,
    MetadataValue,
    asset,
    asset_check,
)
from dagster_duckdb import DuckDBResource

from orchestration.partitions import DUCKDB_WRITER_POOL, delivery_date_partitions
from orchestration.publish.files import write_snapshot
from orchestration.settings import Settings

SQL_DIR = Path(__file__).parent / "sql"
ENFORCEMENT_LIST = AssetKey("enforcement_list")
COMPLIANCE_METRICS = AssetKey("compliance_metrics")


def sql(name: str) -> str:
    return (SQL_DIR / name).read_text()


def enforcement_list_frame(warehouse: DuckDBResource, run_date: str) -> pd.DataFrame:
    """The run date's list with the contract's columns and types."""
    with warehouse.get_connection() as con:
        con.execute(sql("create_enforcement_list.sql"))
        frame = con.execute(sql("enforcement_list_for_run_date.sql"), {"run_date": run_date}).df()
    frame["run_date"] = pd.to_datetime(frame["run_date"]).dt.date
    return frame


@asset(
    key=ENFORCEMENT_LIST,
    deps=[AssetKey("account_scores")],
    partitions_def=delivery_date_partitions,
    group_name="publish",
    kinds={"duckdb"},
    owners=["team:trust-and-safety"],
    pool=DUCKDB_WRITER_POOL,
    code_version="1",
    description=(
        "One row per account actioned on the run date (`terminate` or `warn_and_limit`), "
        "with calibrated scores, reasons in words and the model version: the contract's "
        "enforcement list, before publishing."),
)
def enforcement_list(context: AssetExecutionContext, warehouse: DuckDBResource) -> MaterializeResult:
    run_date = context.partition_key
    with warehouse.get_connection() as con:
        con.execute(sql("create_enforcement_list.sql"))
        con.execute("begin transaction")
        con.execute(sql("delete_enforcement_list.sql"), {"run_date": run_date})
        con.execute(sql("insert_enforcement_list.sql"), {"run_date": run_date})
        con.execute("commit")
    frame = enforcement_list_frame(warehouse, run_date)
    counts = frame["action"].value_counts().to_dict()
    return MaterializeResult(metadata={
        "run_date": run_date,
        "dagster/row_count": len(frame),
        "terminate": int(counts.get("terminate", 0)),
        "warn_and_limit": int(counts.get("warn_and_limit", 0)),
        "preview": MetadataValue.md(frame.head(10).to_markdown(index=False)),
    })


@asset_check(
    asset=ENFORCEMENT_LIST,
    name="enforcement_list_contract",
    blocking=True,
    partitions_def=delivery_date_partitions,
    description=("Great Expectations suite `enforcement_list`: the published contract "
                 "(columns, one row per account, actions, score ranges, reasons). Blocking: "
                 "a failure stops publishing."),
)
def enforcement_list_contract(context: AssetCheckExecutionContext, settings: Settings,
                              warehouse: DuckDBResource) -> AssetCheckResult:
    from expectations.runner import validate_frame, write_report

    run_date = context.partition_key
    summary = validate_frame(enforcement_list_frame(warehouse, run_date), "enforcement_list",
                             batch_id=f"enforcement_list_run_date={run_date}")
    report = write_report(summary, settings.reports_dir / "gx" / "enforcement_list")
    return AssetCheckResult(
        passed=summary.success, severity=AssetCheckSeverity.ERROR,
        metadata={"expectations_evaluated": summary.evaluated,
                  "failed": MetadataValue.md(summary.to_markdown()),
                  "report": MetadataValue.path(str(report))})


@asset(
    key=COMPLIANCE_METRICS,
    deps=[ENFORCEMENT_LIST, AssetKey("account_scores"), AssetKey("stg_activity__reviews"),
          AssetKey("stg_activity__appeals"), AssetKey("stg_activity__events")],
    partitions_def=delivery_date_partitions,
    group_name="publish",
    kinds={"duckdb"},
    owners=["team:compliance"],
    pool=DUCKDB_WRITER_POOL,
    code_version="1",
    description=("One row per run date and metric: actions, proactive rate, prevalence from "
                 "the random audit sample (95% CI), appeals, AI-content labelling, data "
                 "quality, and the model's threshold and held-out precision."),
)
def compliance_metrics(context: AssetExecutionContext, settings: Settings,
                       warehouse: DuckDBResource) -> MaterializeResult:
    from ml.tracking import configure, registered_version

    run_date = context.partition_key
    with warehouse.get_connection() as con:
        row = con.execute("select any_value(model_version) from enforcement_list where run_date = ?",
                          [run_date]).fetchone()
        version = row[0] if row else None
        if version is None:
            version = con.execute("select any_value(model_version) from account_scores where run_date = ?",
                                  [run_date]).fetchone()[0]
    configure(settings.mlflow_tracking_uri, Path(settings.mlflow_artifact_root), settings.model_name)
    policy = registered_version(settings.model_name, version).policy
    params = {
        "run_date": run_date, "window_days": settings.feature_window_days,
        "model_version": version, "terminate_threshold": policy.terminate_threshold,
        "terminate_heldout_precision": policy.terminate_heldout_precision,
        "terminate_heldout_recall": policy.terminate_heldout_recall,
        "warn_threshold": policy.warn_threshold,
    }
    with warehouse.get_connection() as con:
        con.execute(sql("create_compliance_metrics.sql"))
        con.execute("begin transaction")
        con.execute(sql("delete_compliance_metrics.sql"), {"run_date": run_date})
        con.execute(sql("compliance_metrics.sql"), params)
        con.execute("commit")
        frame = con.execute("select metric, value from compliance_metrics where run_date = ? order by metric",
                            [run_date]).df()
    return MaterializeResult(metadata={
        "run_date": run_date,
        "dagster/row_count": len(frame),
        "metrics": MetadataValue.md(frame.to_markdown(index=False)),
    })


@asset(
    key=AssetKey("published_snapshot"),
    deps=[ENFORCEMENT_LIST, COMPLIANCE_METRICS],
    partitions_def=delivery_date_partitions,
    group_name="publish",
    kinds={"parquet", "csv", "html"},
    owners=["team:compliance"],
    code_version="1",
    description=("The contract's published files for the run date under "
                 "`<data>/published/<run date>/`: enforcement_list.parquet/.csv, "
                 "compliance_metrics.parquet/.csv and report.html. Replaced atomically."),
)
def published_snapshot(context: AssetExecutionContext, settings: Settings,
                       warehouse: DuckDBResource) -> MaterializeResult:
    run_date = context.partition_key
    listed = enforcement_list_frame(warehouse, run_date)
    with warehouse.get_connection() as con:
        metrics = con.execute("select run_date, metric, value, description from compliance_metrics "
                              "where run_date = ? order by metric", [run_date]).df()
        history = con.execute("select run_date, metric, value from compliance_metrics "
                              "where run_date <= ? order by run_date, metric", [run_date]).df()
    folder = write_snapshot(settings.published_dir, run_date, listed, metrics, history)
    return MaterializeResult(metadata={
        "run_date": run_date,
        "folder": MetadataValue.path(str(folder)),
        "enforcement_list_rows": len(listed),
        "report": MetadataValue.path(str(folder / "report.html")),
    })
