"""Write a run date's published folder: the contract's files, replaced atomically."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from orchestration.publish.report import render_report

# The contract's published types (shared/contract/activity-data.md).
ENFORCEMENT_LIST_SCHEMA = pa.schema([
    ("account_id", pa.string()),
    ("action", pa.string()),
    ("score_ai_managed", pa.float64()),
    ("score_ai_assisted", pa.float64()),
    ("reasons", pa.string()),
    ("model_version", pa.string()),
    ("run_date", pa.date32()),
])
REVIEW_QUEUE_SCHEMA = pa.schema([
    ("account_id", pa.string()),
    ("queue_reason", pa.string()),
    ("score_ai_managed", pa.float64()),
    ("score_ai_assisted", pa.float64()),
    ("reasons", pa.string()),
    ("model_version", pa.string()),
    ("run_date", pa.date32()),
])
COMPLIANCE_METRICS_SCHEMA = pa.schema([
    ("run_date", pa.date32()),
    ("metric", pa.string()),
    ("value", pa.float64()),
    ("description", pa.string()),
])


def _table(frame: pd.DataFrame, schema: pa.Schema) -> pa.Table:
    frame = frame.loc[:, schema.names].copy()
    if "run_date" in frame:
        frame["run_date"] = pd.to_datetime(frame["run_date"]).dt.date
    return pa.Table.from_pandas(frame, schema=schema, preserve_index=False)


def write_snapshot(published_dir: Path, run_date: str, enforcement: pd.DataFrame,
                   queue: pd.DataFrame, metrics: pd.DataFrame, history: pd.DataFrame,
                   labelling: pd.DataFrame) -> Path:
    """Write ``published_dir/run_date/`` so readers see the old folder or the new one,
    never a half-written one: everything goes to a temporary sibling first, which then
    takes the final name."""
    published_dir = Path(published_dir)
    published_dir.mkdir(parents=True, exist_ok=True)
    final = published_dir / run_date
    staging = published_dir / f".{run_date}.tmp-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    try:
        listed = _table(enforcement, ENFORCEMENT_LIST_SCHEMA)
        pq.write_table(listed, staging / "enforcement_list.parquet")
        listed.to_pandas().to_csv(staging / "enforcement_list.csv", index=False)
        queued = _table(queue, REVIEW_QUEUE_SCHEMA)
        pq.write_table(queued, staging / "review_queue.parquet")
        queued.to_pandas().to_csv(staging / "review_queue.csv", index=False)
        metric_table = _table(metrics, COMPLIANCE_METRICS_SCHEMA)
        pq.write_table(metric_table, staging / "compliance_metrics.parquet")
        metric_table.to_pandas().to_csv(staging / "compliance_metrics.csv", index=False)
        (staging / "report.html").write_text(
            render_report(run_date, enforcement, metrics, history, labelling), encoding="utf-8")
        retired = None
        if final.exists():
            retired = published_dir / f".{run_date}.old-{uuid.uuid4().hex[:8]}"
            final.rename(retired)
        staging.rename(final)
        if retired is not None:
            shutil.rmtree(retired)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return final
