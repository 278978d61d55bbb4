"""Write a run date's published folder: the contract's files, replaced atomically."""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from realpeople.defs.publish.report import render_report

# The contract's published types (shared/contract/activity-data.md).
ENFORCEMENT_LIST_SCHEMA = pa.schema(
    [
        ("account_id", pa.string()),
        ("action", pa.string()),
        ("score_ai_managed", pa.float64()),
        ("score_ai_assisted", pa.float64()),
        ("reasons", pa.string()),
        ("model_version", pa.string()),
        ("run_date", pa.date32()),
    ]
)
REVIEW_QUEUE_SCHEMA = pa.schema(
    [
        ("account_id", pa.string()),
        ("queue_reason", pa.string()),
        ("score_ai_managed", pa.float64()),
        ("score_ai_assisted", pa.float64()),
        ("reasons", pa.string()),
        ("model_version", pa.string()),
        ("run_date", pa.date32()),
    ]
)
COMPLIANCE_METRICS_SCHEMA = pa.schema(
    [
        ("run_date", pa.date32()),
        ("metric", pa.string()),
        ("value", pa.float64()),
        ("description", pa.string()),
        ("unit", pa.string()),
    ]
)
# decisions.parquet (issue 18): the enforcement list's accounts (operational: real ids)
# with who decided and how, since when, and the statement of reasons in force.
DECISIONS_SCHEMA = pa.schema(
    [
        ("account_id", pa.string()),
        ("action", pa.string()),
        ("decided_by", pa.string()),
        ("decision_path", pa.string()),
        ("first_actioned_on", pa.date32()),
        ("new_or_continuing", pa.string()),
        ("statement_id", pa.string()),
        ("model_version", pa.string()),
        ("run_date", pa.date32()),
    ]
)
# networks.parquet (issue 18): for regulators, so members are pseudonyms.
NETWORKS_SCHEMA = pa.schema(
    [
        ("network_id", pa.string()),
        ("size", pa.int64()),
        ("members_actioned", pa.int64()),
        ("members_terminated", pa.int64()),
        ("members_warned", pa.int64()),
        ("linked_pairs", pa.int64()),
        ("evidence", pa.string()),
        ("first_activity", pa.timestamp("us")),
        ("last_activity", pa.timestamp("us")),
        ("member_pseudonyms", pa.list_(pa.string())),
        ("run_date", pa.date32()),
    ]
)
# statements_of_reasons.parquet: the flat columns a query needs, and the whole record.
STATEMENTS_SCHEMA = pa.schema(
    [
        ("statement_id", pa.string()),
        ("kind", pa.string()),
        ("action", pa.string()),
        ("decision_path", pa.string()),
        ("account_pseudonym", pa.string()),
        ("record", pa.string()),
        ("run_date", pa.date32()),
    ]
)


# Cells a spreadsheet would evaluate as a formula when it opens a CSV (OWASP, "CSV
# Injection"): those starting with one of these characters.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def write_csv(table: pa.Table, path: Path) -> None:
    """A published CSV: formula-like cells neutralised; RFC 4180 line ends (CRLF), so that
    a cell holding a carriage return is quoted too (with "\n" alone, Python's writer leaves
    it bare and readers split the row there)."""
    spreadsheet_safe(table).to_csv(path, index=False, lineterminator="\r\n")


def spreadsheet_safe(table: pa.Table) -> pd.DataFrame:
    """The table for a CSV: every text cell a spreadsheet would evaluate is prefixed with a
    single quote, as OWASP recommends (the cell then shows as text). Numbers and dates are
    left alone; the Parquet beside the CSV keeps the true values."""
    frame = table.to_pandas()
    for field in table.schema:
        if pa.types.is_string(field.type) or pa.types.is_large_string(field.type):
            frame[field.name] = frame[field.name].map(
                lambda v: "'" + v if isinstance(v, str) and v.startswith(FORMULA_TRIGGERS) else v
            )
    return frame


def metrics_csv_frame(table: pa.Table) -> pd.DataFrame:
    """compliance_metrics.csv as people read it: counts, flags and versions as integers
    (a version as text: "3", not "3.0"), fractions, scores and hours as decimals; the
    ``unit`` column says which (the Parquet keeps every value a double)."""
    # formula-like text neutralised as in every published CSV; values are numbers written as text
    frame = spreadsheet_safe(table)

    def text(value, unit):
        if value is None or pd.isna(value):
            return ""
        if unit in ("count", "flag", "version") and float(value).is_integer():
            return str(int(value))
        return f"{value:.6g}" if unit != "count" else repr(float(value))

    frame["value"] = [text(v, u) for v, u in zip(frame["value"], frame["unit"])]
    return frame


def _table(frame: pd.DataFrame, schema: pa.Schema) -> pa.Table:
    frame = frame.loc[:, schema.names].copy()
    if "run_date" in frame:
        frame["run_date"] = pd.to_datetime(frame["run_date"]).dt.date
    return pa.Table.from_pandas(frame, schema=schema, preserve_index=False)


def write_snapshot(
    published_dir: Path,
    run_date: str,
    enforcement: pd.DataFrame,
    queue: pd.DataFrame,
    metrics: pd.DataFrame,
    history: pd.DataFrame,
    labelling: pd.DataFrame,
    *,
    decisions: pd.DataFrame | None = None,
    statements: pd.DataFrame | None = None,
    networks: pd.DataFrame | None = None,
    report: dict | None = None,
) -> Path:
    """Write ``published_dir/run_date/`` so that readers see the old snapshot or the new
    one, never a half-written or missing one.

    Each snapshot is written whole into ``.versions/<run_date>-<id>/``; ``<run_date>`` is a
    symbolic link to it, and a re-run swaps the link with one ``rename`` (atomic on POSIX),
    then removes the superseded version. A kill at any point leaves the previous snapshot
    in place (at worst an unreferenced version folder, removed by the next write).
    """
    published_dir = Path(published_dir)
    versions = published_dir / ".versions"
    versions.mkdir(parents=True, exist_ok=True)
    final = published_dir / run_date
    token = uuid.uuid4().hex[:8]
    staging = versions / f".{run_date}-{token}.tmp"
    version = versions / f"{run_date}-{token}"
    staging.mkdir()
    try:
        listed = _table(enforcement, ENFORCEMENT_LIST_SCHEMA)
        pq.write_table(listed, staging / "enforcement_list.parquet")
        write_csv(listed, staging / "enforcement_list.csv")
        queued = _table(queue, REVIEW_QUEUE_SCHEMA)
        pq.write_table(queued, staging / "review_queue.parquet")
        write_csv(queued, staging / "review_queue.csv")
        if "unit" not in metrics:
            metrics = metrics.assign(unit=None)
        metric_table = _table(metrics, COMPLIANCE_METRICS_SCHEMA)
        pq.write_table(metric_table, staging / "compliance_metrics.parquet")
        metrics_csv_frame(metric_table).to_csv(
            staging / "compliance_metrics.csv", index=False, lineterminator="\r\n"
        )
        if decisions is not None:
            decided = _table(decisions, DECISIONS_SCHEMA)
            pq.write_table(decided, staging / "decisions.parquet")
            write_csv(decided, staging / "decisions.csv")
        if statements is not None:
            write_statements(statements, run_date, staging)
        if networks is not None:
            pq.write_table(_table(networks, NETWORKS_SCHEMA), staging / "networks.parquet")
        (staging / "report.html").write_text(
            render_report(run_date, enforcement, metrics, history, labelling, **(report or {})),
            encoding="utf-8",
        )
        staging.rename(version)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    previous = final.resolve() if final.is_symlink() else None
    if final.exists() and not final.is_symlink():
        # A snapshot written as a plain folder (before versions existed): move it into
        # .versions first so the swap below is a single rename.
        legacy = versions / f"{run_date}-legacy-{token}"
        final.rename(legacy)
        os.symlink(legacy.relative_to(published_dir), final)
        previous = legacy
    link = published_dir / f".{run_date}.link-{token}"
    os.symlink(version.relative_to(published_dir), link)
    os.replace(link, final)
    _remove_unreferenced(published_dir, versions, run_date, keep=version)
    if previous is not None and previous.exists() and previous != version.resolve():
        shutil.rmtree(previous, ignore_errors=True)
    return final


def write_statements(statements: pd.DataFrame, run_date: str, folder: Path) -> None:
    """statements_of_reasons.jsonl (one record a line, as validated) and .parquet: the
    statements issued on the run date (an empty file when none were)."""
    import json

    with open(folder / "statements_of_reasons.jsonl", "w", encoding="utf-8", newline="\n") as out:
        out.writelines(record + "\n" for record in statements["record"])
    frame = statements.assign(
        account_pseudonym=[json.loads(r)["x_account_pseudonym"] for r in statements["record"]],
        run_date=run_date,
    )
    pq.write_table(_table(frame, STATEMENTS_SCHEMA), folder / "statements_of_reasons.parquet")


def _remove_unreferenced(published_dir: Path, versions: Path, run_date: str, keep: Path) -> None:
    """Versions of this run date left by a killed write (never linked) are garbage."""
    for leftover in versions.glob(f"{run_date}-*"):
        if leftover.resolve() != keep.resolve():
            shutil.rmtree(leftover, ignore_errors=True)
    for stale_link in published_dir.glob(f".{run_date}.link-*"):
        stale_link.unlink(missing_ok=True)
    for stale in versions.glob(f".{run_date}-*.tmp"):
        shutil.rmtree(stale, ignore_errors=True)
