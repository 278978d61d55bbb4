"""Run the whole pipeline on one landing zone, in process, and judge how it ended.

Grain: one call of :func:`run_world` = one world = one or two ``run_pipeline`` calls
(two when a day is re-sent). A world must end one of two ways (issue 13):

- **published**: ``published/<run date>/`` holds the complete, contract-valid snapshot
  (:func:`check_snapshot`), and nothing half-written lies beside it;
- **stopped** with one of the designed reasons, ``realpeople.cli.DESIGNED_STOPS``
  (documented in docs/operations.md).

Anything else (a failed internal check, a traceback, an undesigned ``StageFailed``) is
raised as :class:`Undesigned`, with the world's description, so the test fails with it.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from realpeople import vocabulary
from realpeople.cli import DESIGNED_STOPS, StageFailed, run_pipeline
from realpeople.settings import load_settings

PUBLISHED_FILES = [
    "compliance_metrics.csv",
    "compliance_metrics.parquet",
    "decisions.csv",
    "decisions.parquet",
    "enforcement_list.csv",
    "enforcement_list.parquet",
    "networks.parquet",
    "report.html",
    "review_queue.csv",
    "review_queue.parquet",
    "statements_of_reasons.jsonl",
    "statements_of_reasons.parquet",
]
CONTRACT_ENFORCEMENT_SCHEMA = pa.schema(
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


class Undesigned(AssertionError):
    """A world ended in a way the pipeline was not designed to end."""


@dataclass
class Outcome:
    status: str  # "published" or "stopped"
    reason: str | None  # the designed stop, when stopped
    run_date: str | None
    settings: object
    model_acting: bool | None = None
    message: str = ""


# Dagster's SQLite event log opens, commits (fsync) and closes a connection per event, and
# a world's runs log ~1,200 events (~4,400 commits): ~10 ms each on this machine's disk,
# ~0.3 ms on tmpfs, i.e. ~40 s of a world's wall time spent waiting on fsync for a
# throw-away instance. A world's Dagster instance therefore lives on tmpfs when the machine
# has one (the warehouse, MLflow and published files stay under the world's own folder);
# it is the same SQLite storage, only not durable, which a test's instance need not be.
TMPFS = Path("/dev/shm")
_TMPFS_HOMES: list[Path] = []


def _instance_home(root: Path) -> Path:
    if TMPFS.is_dir() and os.access(TMPFS, os.W_OK):
        home = Path(tempfile.mkdtemp(prefix="realpeople-dagster-", dir=TMPFS))
        _TMPFS_HOMES.append(home)
        return home / "dagster_home"
    return root / "data" / "dagster_home"


@atexit.register
def remove_instance_homes() -> None:
    """Remove the tmpfs instances made so far (tests/conformance/conftest.py calls it after
    each test; at exit for any other caller)."""
    while _TMPFS_HOMES:
        shutil.rmtree(_TMPFS_HOMES.pop(), ignore_errors=True)


def settings_for(root: Path, landing: Path):
    return load_settings(
        {
            "REALPEOPLE_LANDING_DIR": str(landing),
            "REALPEOPLE_DATA_DIR": str(root / "data"),
            "DAGSTER_HOME": str(_instance_home(root)),
        }
    )


def run_once(settings) -> Outcome:
    """One ``make run`` in process, classified."""
    os.environ["DAGSTER_HOME"] = settings.dagster_home
    try:
        result = run_pipeline(settings)
    except StageFailed as exc:
        if exc.reason in DESIGNED_STOPS:
            return Outcome("stopped", exc.reason, None, settings, message=str(exc))
        raise Undesigned(f"undesigned stop ({exc.reason}): {exc}") from exc
    except Exception as exc:  # a traceback is never a designed ending
        raise Undesigned(f"{type(exc).__name__}: {exc}") from exc
    run_date = result["run_date"]
    acting = check_snapshot(settings, run_date)
    return Outcome("published", None, run_date, settings, model_acting=acting)


def check_snapshot(settings, run_date: str) -> bool:
    """Assert the run date's published folder is complete and follows the contract;
    return whether a model acted."""
    published = Path(settings.published_dir)
    folder = published / run_date
    names = sorted(p.name for p in folder.iterdir())
    if names != PUBLISHED_FILES:
        raise Undesigned(f"published/{run_date} holds {names}")
    # Nothing half-written beside it: only date links and the versions folder.
    for entry in published.iterdir():
        if entry.name != ".versions" and not entry.is_symlink() and entry.name != run_date:
            raise Undesigned(f"unexpected entry in published/: {entry.name}")

    listed_table = pq.read_table(folder / "enforcement_list.parquet")
    if not listed_table.schema.equals(CONTRACT_ENFORCEMENT_SCHEMA):
        raise Undesigned(f"enforcement_list schema {listed_table.schema}")
    listed = listed_table.to_pandas()
    metrics = pd.read_parquet(folder / "compliance_metrics.parquet")
    if list(metrics.columns[:3]) != ["run_date", "metric", "value"]:
        raise Undesigned(f"compliance_metrics columns {list(metrics.columns)}")
    values = metrics.set_index("metric")["value"]
    acting = bool(values.get("model_acting", 1))
    queue = pd.read_parquet(folder / "review_queue.parquet")
    csv = pd.read_csv(
        folder / "enforcement_list.csv", dtype={"model_version": str, "account_id": str}
    )

    problems = []
    if not listed["account_id"].is_unique:
        problems.append("an account listed twice")
    if not set(listed["action"]) <= set(vocabulary.ACTIONS):
        problems.append(f"unknown actions {set(listed['action'])}")
    if set(listed["run_date"].astype(str)) - {run_date}:
        problems.append("rows of another run date")
    if (listed["reasons"].fillna("").str.strip() == "").any():
        problems.append("a row without reasons")
    for column in ("score_ai_managed", "score_ai_assisted"):
        scored = listed[column].dropna()
        if not scored.between(*vocabulary.PROBABILITY_RANGE).all():
            problems.append(f"{column} outside [0, 1]")
        if acting and listed[column].isna().any():
            problems.append(f"{column} missing although a model acts")
    if acting and listed["model_version"].isna().any():
        problems.append("model_version missing although a model acts")
    if not acting and listed["model_version"].notna().any():
        problems.append("a model version on a run date no model acted on")
    if len(csv) != len(listed) or list(csv.columns) != CONTRACT_ENFORCEMENT_SCHEMA.names:
        problems.append("the CSV differs from the Parquet list")
    if not set(queue["queue_reason"]) <= set(vocabulary.QUEUE_REASONS.values()):
        problems.append(f"unknown queue reasons {set(queue['queue_reason'])}")
    if set(queue["account_id"]) & set(listed["account_id"]):
        problems.append("an account both actioned and queued")
    if values.get("accounts_actioned_total") != len(listed):
        problems.append("accounts_actioned_total differs from the list")
    for table in ("accounts", "events", "reviews", "appeals"):
        landed = values.get(f"rows_landed_{table}")
        accounted = values[f"rows_loaded_{table}"] + values[f"rows_quarantined_{table}"]
        if pd.notna(landed) and landed != accounted:
            problems.append(f"{table}: landed != loaded + quarantined")
    if not acting and "No model acts yet" not in (folder / "report.html").read_text():
        problems.append("the report does not say that no model acts")
    if problems:
        raise Undesigned(f"published/{run_date}: " + "; ".join(problems))
    return acting


def warehouse_frame(settings, query: str, params=None) -> pd.DataFrame:
    with duckdb.connect(settings.warehouse_path, read_only=True) as con:
        return con.execute(query, params or []).df()


def expected_moderator_actions(tables: dict) -> dict[str, str]:
    """What moderators' verdicts alone decide (no model): account -> action, from the
    rows a world wrote (latest review per account; accounts delivered; run date window)."""
    known = {r["account_id"] for rows in tables["accounts"].values() for r in rows}
    reviews = [r for rows in tables["reviews"].values() for r in rows]
    latest: dict[str, tuple] = {}
    for r in reviews:
        key = (r["reviewed_at"], r["review_id"])
        if r["account_id"] not in latest or key > latest[r["account_id"]][0]:
            latest[r["account_id"]] = (key, r["verdict"])
    return {
        a: vocabulary.VERDICT_ACTION[v]
        for a, (_, v) in latest.items()
        if vocabulary.VERDICT_ACTION[v] and a in known
    }


def run_world(spec, root: Path) -> Outcome:
    """Write ``spec`` under ``root`` and run the pipeline on it (twice if a day is re-sent);
    when no model acts, the published list must be exactly the moderators' decisions."""
    from tests.conformance.worlds import resend_first_day, write_world

    landing = root / "landing"
    tables = write_world(spec, landing)
    settings = settings_for(root, landing)
    outcome = run_once(settings)
    if outcome.status == "published" and spec.resend_day:
        resend_first_day(spec, landing, tables)
        outcome = run_once(settings)
        events = warehouse_frame(
            settings,
            "select count(*) - count(distinct event_id) as repeats from stg_activity__events",
        )
        if int(events["repeats"].iloc[0]) != 0:
            raise Undesigned("a re-sent day duplicated events in staging")
    if outcome.status == "published" and not outcome.model_acting:
        listed = pd.read_parquet(
            Path(settings.published_dir) / outcome.run_date / "enforcement_list.parquet"
        )
        got = dict(zip(listed["account_id"], listed["action"]))
        want = expected_moderator_actions(tables)
        if got != want:
            missing, extra = sorted(set(want) - set(got))[:5], sorted(set(got) - set(want))[:5]
            raise Undesigned(
                f"without a model the list should be the moderators' decisions: "
                f"missing {missing}, extra {extra}"
            )
        by = warehouse_frame(
            settings,
            "select distinct decided_by from enforcement_list where run_date = ?",
            [outcome.run_date],
        )
        if not set(by["decided_by"]) <= {vocabulary.BY_MODERATOR}:
            raise Undesigned(f"decided_by {set(by['decided_by'])} without a model")
    return outcome
