"""Automation: new deliveries are loaded as they land; the daily run publishes on a cron.

Both are on by default (``make ui`` starts the daemon); switch either off in the UI
(Automation tab), no code edit needed. Weekly retraining lives with the model assets.
"""

import hashlib
import json
from datetime import date
from pathlib import Path

from dagster import (
    ResourceParam,
    AssetKey,
    DefaultScheduleStatus,
    DefaultSensorStatus,
    RunRequest,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    build_schedule_from_partitioned_job,
    sensor,
)

from realpeople.contract import TABLES
from realpeople.defs.ingest.landing import survey_landing
from realpeople.defs.ingest.loader import list_delivery_files
from realpeople.defs.jobs import daily_job, ingest_job
from realpeople.partitions import partition_range
from realpeople.settings import Settings

LEDGER_FILES_SQL = Path(__file__).parent / "ingest" / "sql" / "ledger_files.sql"


def delivery_fingerprints(landing_dir: Path, first_date: date | None = None,
                          last_date: date | None = None) -> dict[str, dict[str, str]]:
    """Per delivery date, per table: a hash of the delivery's file names, sizes and times.

    Cheap (no file is read), and it changes when a delivery is re-sent or a file added.
    Folders that are not deliveries (or are outside the partition range) are not in it:
    the ingest runs record them in the ledger.
    """
    found = survey_landing(landing_dir, first_date, last_date).deliveries
    prints: dict[str, dict[str, str]] = {}
    for table, dates in found.items():
        for day in dates:
            files = list_delivery_files(landing_dir, table, day)
            if not files:
                continue
            digest = hashlib.sha256()
            for path in files:
                stat = path.stat()
                digest.update(f"{path.name}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
            prints.setdefault(day.isoformat(), {})[table] = digest.hexdigest()[:16]
    return prints


def already_loaded(settings: ResourceParam[Settings], current: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
    """The part of ``current`` whose files the warehouse ledger (raw.deliveries) holds
    with the same paths and sizes."""
    import duckdb

    warehouse = Path(settings.warehouse_path)
    if not warehouse.exists():
        return {}
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            rows = con.execute(LEDGER_FILES_SQL.read_text()).fetchall()
    except duckdb.Error:
        return {}  # no ledger yet, or a writer holds the file: request everything
    ledger: dict[tuple[str, str], set[tuple[str, int]]] = {}
    for table, day, path, size in rows:
        ledger.setdefault((table, day.isoformat()), set()).add((path, size))
    landing = Path(settings.landing_dir)
    seen: dict[str, dict[str, str]] = {}
    for day, tables in current.items():
        for table, fingerprint in tables.items():
            files = {(str(p), p.stat().st_size)
                     for p in list_delivery_files(landing, table, date.fromisoformat(day))}
            if files and files == ledger.get((table, day)):
                seen.setdefault(day, {})[table] = fingerprint
    return seen


@sensor(
    job=ingest_job,
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.RUNNING,
    description=("Watches the landing zone; when a delivery folder appears or changes, "
                 "requests exactly one ingest run for that delivery date, for the tables "
                 "whose files changed."),
)
def new_deliveries_sensor(context: SensorEvaluationContext, settings: ResourceParam[Settings]):
    current = delivery_fingerprints(Path(settings.landing_dir), *partition_range(settings))
    # A refused delivery folder never stops the others; the tick names it (and every ingest
    # run records it in the ledger).
    refused = survey_landing(Path(settings.landing_dir), *partition_range(settings)).rejected_deliveries
    for entry in refused:
        context.log.warning(f"delivery folder refused: {entry.message}")
    refused_note = "".join(f"; refused: {e.message}" for e in refused[:5])
    if context.cursor:
        seen: dict[str, dict[str, str]] = json.loads(context.cursor)
    else:
        # First tick (e.g. the first `make ui` after `make run`): deliveries the ledger
        # already holds unchanged are not requested again.
        seen = already_loaded(settings, current)
    requests = []
    for day, tables in sorted(current.items()):
        changed = sorted(t for t, h in tables.items() if seen.get(day, {}).get(t) != h)
        if not changed:
            continue
        run_key = f"{day}:" + ",".join(f"{t}={tables[t]}" for t in changed)
        requests.append(RunRequest(
            run_key=run_key, partition_key=day,
            asset_selection=[AssetKey(["raw", t]) for t in changed if t in TABLES],
            tags={"realpeople/trigger": "new_delivery"}))
    if not requests:
        return SkipReason("no new or changed deliveries" + refused_note)
    return SensorResult(run_requests=requests, cursor=json.dumps(current, sort_keys=True))


daily_schedule = build_schedule_from_partitioned_job(
    daily_job, hour_of_day=6, minute_of_hour=0, default_status=DefaultScheduleStatus.RUNNING,
    name="daily_publish_schedule",
    description="06:00 UTC: features, scores and publishing for the day's delivery date.")

AUTOMATION = {"sensors": [new_deliveries_sensor], "schedules": [daily_schedule]}
