"""One asset per contract table: a delivery date's files -> ``raw.<table>``.

Grain: one partition per delivery date (``dt=`` folder). Each materialization reloads
that delivery in one transaction (idempotent), quarantines rows that break the
contract, and reports landed / loaded / quarantined counts.
"""

from datetime import date
from pathlib import Path

import pandas as pd
from dagster import (
    AssetCheckKey,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    MaterializeResult,
    MetadataValue,
    ResourceParam,
    asset,
)
from dagster_duckdb import DuckDBResource

from realpeople.contract import TABLES
from realpeople.defs.ingest.export import export_delivery
from realpeople.defs.ingest.formats import formats_verdict, measure_formats
from realpeople.defs.ingest.landing import survey_landing
from realpeople.defs.ingest.loader import DeliveryReport, load_delivery, record_landing_survey, sql
from realpeople.partitions import DUCKDB_WRITER_POOL, delivery_date_partitions, partition_range
from realpeople.settings import Settings

RAW_KEYS = {table: AssetKey(["raw", table]) for table in TABLES}
# The checks each load reports itself (see check_specs below).
LOAD_CHECKS = ("rows_reconcile", "files_accepted", "value_formats")


def ingest_selection(tables) -> tuple[list[AssetKey], list[AssetCheckKey]]:
    """The raw assets of ``tables`` and the checks their loads report: what an ingest run
    of part of a delivery selects."""
    chosen = [t for t in sorted(tables) if t in RAW_KEYS]
    return (
        [RAW_KEYS[t] for t in chosen],
        [AssetCheckKey(RAW_KEYS[t], name) for t in chosen for name in LOAD_CHECKS],
    )


def _files_table(report: DeliveryReport) -> str:
    frame = pd.DataFrame(
        [
            {
                "file": Path(f.path).name,
                "format": f.file_format,
                "landed": f.rows_landed,
                "loaded": f.rows_loaded,
                "quarantined": f.rows_quarantined,
                "rejected": f.rejected_reason or "",
                "ignored columns": ", ".join(f.ignored_columns),
            }
            for f in report.files
        ]
    )
    return frame.to_markdown(index=False) if not frame.empty else "_no files in this delivery_"


def _formats_table(findings) -> str:
    frame = pd.DataFrame(
        [
            {
                "column": f.column,
                "format": f.format,
                "present": f.present,
                "off": f.off,
                "share off": f"{f.share_off:.2%}",
                "first off": ""
                if f.example is None
                else f"{f.example_file}:{f.example_row} {f.example!r}",
            }
            for f in findings
        ]
    )
    return frame.to_markdown(index=False) if not frame.empty else "_no column with a format_"


def _reconcile(con, table: str, day: date) -> dict:
    """Counts from the tables themselves, against the delivery ledger."""
    row = con.execute(
        sql("reconcile_delivery.sql"), {"table_name": table, "delivery_date": day}
    ).fetchone()
    landed, ledger_loaded, ledger_quarantined, loaded, quarantined, unreconciled = row
    return {
        "landed": landed,
        "ledger_loaded": ledger_loaded,
        "ledger_quarantined": ledger_quarantined,
        "loaded": loaded,
        "quarantined": quarantined,
        "files_unreconciled": unreconciled,
    }


def build_raw_asset(table: str):
    key = RAW_KEYS[table]

    @asset(
        key=key,
        partitions_def=delivery_date_partitions,
        group_name="ingest",
        kinds={"duckdb", "parquet", "csv"},
        owners=["team:data-engineering"],
        pool=DUCKDB_WRITER_POOL,
        code_version="1",
        description=(
            f"Raw `{table}` rows as delivered (one row per valid landed row, re-sent ids "
            f"included), loaded from `<landing>/{table}/dt=<partition>/`. Rows that break "
            "the contract go to `raw.quarantine` with their reason; each file is recorded "
            "in `raw.deliveries`."
        ),
        check_specs=[
            AssetCheckSpec(
                LOAD_CHECKS[0],
                asset=key,
                description="landed = loaded + quarantined, and the tables hold exactly what the ledger says",
            ),
            AssetCheckSpec(
                LOAD_CHECKS[1],
                asset=key,
                description=(
                    "no file of the delivery was rejected (missing column, wrong type, "
                    "unreadable, over a limit) and no entry of its folder was refused"
                ),
            ),
            AssetCheckSpec(
                LOAD_CHECKS[2],
                asset=key,
                description=(
                    "the loaded values look as the contract describes them: country codes, "
                    "hex hashes, ids and texts of a plausible length, each column within "
                    "its tolerance (contract.VALUE_FORMATS); a warning, the rows are loaded"
                ),
            ),
        ],
    )
    def _raw_asset(
        context: AssetExecutionContext, settings: ResourceParam[Settings], warehouse: DuckDBResource
    ):
        day = date.fromisoformat(context.partition_key)
        with warehouse.get_connection() as con:
            report = load_delivery(con, Path(settings.landing_dir), table, day)
            # Right after the load, on the same connection: its rows are still in memory.
            rows_loaded, findings = measure_formats(con, table, day)
            # The zone outside delivery folders (refused folders, stray files) is recorded
            # by every load, so the ledger says what is there however the load started.
            survey = survey_landing(Path(settings.landing_dir), *partition_range(settings))
            record_landing_survey(con, survey)
            if settings.engine == "spark":
                # Spark reads the raw layer as Parquet: replace this delivery's partition.
                export_delivery(con, Path(settings.raw_parquet_dir), table, day)
            # On the same connection as the load (committed): each connection's close
            # checkpoints the warehouse, a fixed cost of every delivery (docs/benchmarks.md).
            counts = _reconcile(con, table, day)
        # One line per problem: file, column, row count and an example, as the operator
        # needs to find the rows (they are in raw.quarantine with the row as delivered).
        file_messages = [m for f in report.files for m in f.messages]
        for message in report.messages:
            (context.log.warning if message in file_messages else context.log.info)(message)
        off_format = formats_verdict(table, rows_loaded, findings)
        for problem in off_format:
            context.log.warning(f"{table} delivery {day}: {problem}")
        reconciles = (
            counts["files_unreconciled"] == 0
            and counts["landed"] == counts["loaded"] + counts["quarantined"]
            and counts["loaded"] == counts["ledger_loaded"]
            and counts["quarantined"] == counts["ledger_quarantined"]
        )
        yield MaterializeResult(
            metadata={
                "delivery_date": day.isoformat(),
                "files": len(report.files),
                "rows_landed": report.rows_landed,
                "rows_loaded": report.rows_loaded,
                "rows_quarantined": report.rows_quarantined,
                "quarantine_reasons": MetadataValue.json(report.quarantine_reasons),
                "problems": MetadataValue.md(
                    "\n".join(f"- {m}" for m in report.messages) or "_none_"
                ),
                "repeated_ids": report.repeated_ids,
                "ids_delivered_before": report.ids_delivered_before,
                "files_detail": MetadataValue.md(_files_table(report)),
                "entries_not_loaded": MetadataValue.md(
                    "\n".join(f"- {e.message}" for e in report.refused_entries + survey.refused)
                    or "_none_"
                ),
            }
        )
        yield AssetCheckResult(
            check_name=LOAD_CHECKS[0],
            passed=bool(reconciles),
            metadata={k: int(v or 0) for k, v in counts.items()},
        )
        rejected = report.rejected_files
        yield AssetCheckResult(
            check_name=LOAD_CHECKS[1],
            passed=not rejected and not report.refused_entries,
            severity=AssetCheckSeverity.WARN,
            metadata={
                "rejected_files": MetadataValue.json([f.message for f in rejected]),
                "refused_entries": MetadataValue.json([e.message for e in report.refused_entries]),
            },
        )
        yield AssetCheckResult(
            check_name=LOAD_CHECKS[2],
            passed=not off_format,
            severity=AssetCheckSeverity.WARN,
            metadata={
                "rows_loaded": rows_loaded,
                "problems": MetadataValue.md("\n".join(f"- {p}" for p in off_format) or "_none_"),
                "columns": MetadataValue.md(_formats_table(findings)),
            },
        )

    return _raw_asset


raw_assets = [build_raw_asset(table) for table in TABLES]
