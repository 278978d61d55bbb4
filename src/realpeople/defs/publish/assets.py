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
    ResourceParam,
    asset,
    asset_check,
)
from dagster_duckdb import DuckDBResource

from realpeople.defs.publish import rules
from realpeople.defs.publish.files import write_snapshot
from realpeople.defs.quality.gx import gx_asset_check
from realpeople.partitions import DUCKDB_WRITER_POOL, delivery_date_partitions
from realpeople.settings import Settings

ENFORCEMENT_LIST = AssetKey("enforcement_list")
COMPLIANCE_METRICS = AssetKey("compliance_metrics")


sql = rules.sql


def enforcement_list_frame(warehouse: DuckDBResource, run_date: str) -> pd.DataFrame:
    """The run date's list with the contract's columns and types."""
    return _frame(warehouse, "enforcement_list_for_run_date.sql", run_date)


def model_status(warehouse: DuckDBResource, run_date: str) -> dict:
    """The run date's ``model_status`` row as a dict (``model_acting`` False and a note when
    no model acts yet); empty when the date was never scored."""
    with warehouse.get_connection() as con:
        exists = con.execute(
            "select count(*) from information_schema.tables where table_name = 'model_status'"
        ).fetchone()[0]
        if not exists:
            return {}
        cursor = con.execute(sql("model_status_for_run_date.sql"), {"run_date": run_date})
        row = cursor.fetchone()
        return dict(zip([d[0] for d in cursor.description], row)) if row else {}


def _frame(warehouse: DuckDBResource, query: str, run_date: str) -> pd.DataFrame:
    with warehouse.get_connection() as con:
        rules.ensure_tables(con)
        frame = con.execute(sql(query), {"run_date": run_date}).df()
    frame["run_date"] = pd.to_datetime(frame["run_date"]).dt.date
    return frame


@asset(
    key=ENFORCEMENT_LIST,
    deps=[AssetKey("account_scores"), AssetKey("coordination_clusters")],
    partitions_def=delivery_date_partitions,
    group_name="publish",
    kinds={"duckdb", "gx"},
    owners=["team:trust-and-safety"],
    pool=DUCKDB_WRITER_POOL,
    code_version="1",
    description=(
        "One row per account actioned on the run date (`terminate` or `warn_and_limit`), "
        "with calibrated scores, reasons in words and the model version: the contract's "
        "enforcement list, before publishing."
    ),
)
def enforcement_list(
    context: AssetExecutionContext, settings: ResourceParam[Settings], warehouse: DuckDBResource
) -> MaterializeResult:
    run_date = context.partition_key
    with warehouse.get_connection() as con:
        counts = rules.decide(
            con,
            run_date,
            settings.review_override_days,
            settings.second_review_below,
            model_status(warehouse, run_date).get("terminate_held_from"),
            settings.ring_evidence_min_size,
            settings.ring_evidence_min_score,
        )
        by_whom = dict(
            con.execute(
                "select decided_by, count(*) from enforcement_list where run_date = ? group by 1",
                [run_date],
            ).fetchall()
        )
    frame = enforcement_list_frame(warehouse, run_date)
    return MaterializeResult(
        metadata={
            "run_date": run_date,
            "dagster/row_count": len(frame),
            "terminate": counts["terminate"],
            "warn_and_limit": counts["warn_and_limit"],
            "review_queue": counts["review_queue"],
            "terminated_on_ring_evidence": counts["ring_evidence"],
            "ring_people_reviewed": counts["ring_people"],
            "decided_by_model": int(by_whom.get("model", 0)),
            "decided_by_moderator": int(by_whom.get("moderator", 0)),
            "preview": MetadataValue.md(frame.head(10).to_markdown(index=False)),
        }
    )


@asset_check(
    asset=ENFORCEMENT_LIST,
    name="safety_brake",
    blocking=True,
    partitions_def=delivery_date_partitions,
    pool=DUCKDB_WRITER_POOL,
    description=(
        "Stops publishing when terminations jump far above the recent published runs "
        "or the score distribution shifts sharply. Release explicitly with "
        "`python -m realpeople release-brake`."
    ),
)
def safety_brake(
    context: AssetCheckExecutionContext,
    settings: ResourceParam[Settings],
    warehouse: DuckDBResource,
) -> AssetCheckResult:
    run_date = context.partition_key
    with warehouse.get_connection() as con:
        status = rules.brake_status(
            con,
            run_date,
            factor=settings.brake_factor,
            history_runs=settings.brake_history_runs,
            min_history=settings.brake_min_history,
            min_terminate=settings.brake_min_terminate,
            psi_limit=settings.brake_psi,
        )
        if status.blocks:
            rules.record_brake_trip(con, run_date, status)
    if status.blocks:
        context.log.error(status.message)
    return AssetCheckResult(
        passed=not status.blocks,
        severity=AssetCheckSeverity.ERROR,
        description=status.message,
        metadata={
            "terminate": status.terminate,
            "trailing_median": status.trailing_median
            if status.trailing_median is not None
            else -1.0,
            "history_runs": status.history_runs,
            "score_psi": status.score_psi if status.score_psi is not None else -1.0,
            "tripped": status.tripped,
            "released": status.released,
            "released_by": status.released_by or "",
        },
    )


def _enforcement_list_of_run_date(warehouse, settings, run_date: str):
    # Without a model (too few reviews yet) the rows are moderators' decisions, unscored.
    acting = model_status(warehouse, run_date).get("model_acting", True)
    return enforcement_list_frame(warehouse, run_date), {"scored_share_min": 1.0 if acting else 0.0}


enforcement_list_contract = gx_asset_check(
    asset=ENFORCEMENT_LIST,
    name="enforcement_list_contract",
    suite="enforcement_list",
    blocking=True,
    load=_enforcement_list_of_run_date,
    description=(
        "Great Expectations suite `enforcement_list`: the published contract "
        "(columns, one row per account, actions, score ranges, reasons). Blocking: "
        "a failure stops publishing."
    ),
)


@asset(
    key=COMPLIANCE_METRICS,
    deps=[
        ENFORCEMENT_LIST,
        AssetKey("account_scores"),
        AssetKey("stg_activity__reviews"),
        AssetKey(["raw", "accounts"]),
        AssetKey(["raw", "events"]),
        AssetKey(["raw", "reviews"]),
        AssetKey(["raw", "appeals"]),
        AssetKey("stg_activity__appeals"),
        AssetKey("stg_activity__events"),
        AssetKey("int_account_pairs_device_shared"),
    ],
    partitions_def=delivery_date_partitions,
    group_name="publish",
    kinds={"duckdb"},
    owners=["team:compliance"],
    pool=DUCKDB_WRITER_POOL,
    code_version="1",
    description=(
        "One row per run date and metric: actions, proactive rate, prevalence from "
        "the random audit sample (95% CI), appeals, AI-content labelling, data "
        "quality, and the model's threshold and held-out precision."
    ),
)
def compliance_metrics(
    context: AssetExecutionContext, settings: ResourceParam[Settings], warehouse: DuckDBResource
) -> MaterializeResult:
    from realpeople.ml.tracking import configure, registered_version

    run_date = context.partition_key
    with warehouse.get_connection() as con:
        version = con.execute(
            "select any_value(model_version) from account_scores where run_date = ?", [run_date]
        ).fetchone()[0]
    configure(
        settings.mlflow_tracking_uri, Path(settings.mlflow_artifact_root), settings.model_name
    )
    policy = registered_version(settings.model_name, version).policy if version else None
    status = model_status(warehouse, run_date)
    from realpeople.defs.publish.networks import record_networks

    with warehouse.get_connection() as con:
        rules.ensure_tables(con)
        # Networks first: their counts are metrics.
        networks = record_networks(con, run_date)
        rules.compute_compliance_metrics(
            con,
            run_date,
            window_days=settings.feature_window_days,
            model_version=version,
            policy=policy,
            status=status,
        )
        frame = con.execute(
            "select metric, value from compliance_metrics where run_date = ? order by metric",
            [run_date],
        ).df()
    return MaterializeResult(
        metadata={
            "run_date": run_date,
            "dagster/row_count": len(frame),
            "networks_actioned": networks,
            "metrics": MetadataValue.md(frame.to_markdown(index=False)),
        }
    )


@asset(
    key=AssetKey("published_snapshot"),
    deps=[ENFORCEMENT_LIST, COMPLIANCE_METRICS],
    partitions_def=delivery_date_partitions,
    group_name="publish",
    kinds={"parquet", "csv", "html"},
    pool=DUCKDB_WRITER_POOL,
    owners=["team:compliance"],
    code_version="1",
    description=(
        "The contract's published files for the run date under "
        "`<data>/published/<run date>/`: enforcement_list.parquet/.csv, "
        "decisions.parquet/.csv, review_queue.parquet/.csv, compliance_metrics.parquet/.csv, "
        "statements_of_reasons.jsonl/.parquet, networks.parquet and report.html. "
        "Written only after the blocking checks pass; replaced atomically."
    ),
)
def published_snapshot(
    context: AssetExecutionContext, settings: ResourceParam[Settings], warehouse: DuckDBResource
) -> MaterializeResult:
    run_date = context.partition_key
    listed = enforcement_list_frame(warehouse, run_date)
    queue = _frame(warehouse, "review_queue_for_run_date.sql", run_date)
    from realpeople.defs.publish import statements as sor
    from realpeople.defs.publish.networks import networks_frame
    from realpeople.defs.publish.pseudonyms import load_key, pseudonymise
    from realpeople.defs.publish.report import report_inputs

    key = load_key(settings.data_dir)
    with warehouse.get_connection() as con:
        metrics = con.execute(
            "select run_date, metric, value, description, unit from compliance_metrics "
            "where run_date = ? order by metric",
            [run_date],
        ).df()
        history = con.execute(
            "select run_date, metric, value from compliance_metrics "
            "where run_date <= ? order by run_date, metric",
            [run_date],
        ).df()
        labelling = con.execute(
            sql("labelling_by_day.sql"),
            {"run_date": run_date, "window_days": settings.feature_window_days},
        ).df()
        # Statements of reasons: issued for changes only, validated, append-only by date.
        sor.prepare_decisions(con, run_date)
        statements = sor.record_statements(con, run_date, key)
        decisions = sor.decisions_frame(con, run_date)
        con.execute("drop table decisions_today")
        networks = networks_frame(con, run_date)
        extra = report_inputs(con, run_date, settings, key)
    # object dtype even when no network exists (an empty column would be read as float)
    networks["member_pseudonyms"] = pd.Series(
        [pseudonymise(ids, key) for ids in networks.pop("member_ids")],
        index=networks.index,
        dtype=object,
    )
    folder = write_snapshot(
        settings.published_dir,
        run_date,
        listed,
        queue,
        metrics,
        history,
        labelling,
        decisions=decisions,
        statements=statements,
        networks=networks,
        report=extra,
    )
    counts = listed["action"].value_counts().to_dict()
    with warehouse.get_connection() as con:
        rules.record_publication(
            con,
            run_date,
            {
                "terminate": int(counts.get("terminate", 0)),
                "warn_and_limit": int(counts.get("warn_and_limit", 0)),
                "review_queue": len(queue),
            },
            listed["model_version"].iloc[0] if len(listed) else None,
        )
    return MaterializeResult(
        metadata={
            "run_date": run_date,
            "folder": MetadataValue.path(str(folder)),
            "enforcement_list_rows": len(listed),
            "review_queue_rows": len(queue),
            "statements_issued": len(statements),
            "networks": len(networks),
            "report": MetadataValue.path(str(folder / "report.html")),
        }
    )
