"""Load one delivery (a table's ``dt=YYYY-MM-DD`` folder) into the raw layer.

Plain functions over a DuckDB connection, so they run the same from a Dagster asset, a
test or a notebook. A delivery is loaded in one transaction that first removes whatever
an earlier load of the same delivery wrote: re-running a delivery replaces it, and a run
killed half-way leaves the warehouse as it was.

The smallest unit fails: a bad value quarantines its row, an unreadable file is rejected
on its own (the delivery's other files load), an entry that is not a delivery file is
recorded and skipped. Everything the loader sees has a ledger row: files in
``raw.deliveries``, every other entry in ``raw.landing_entries``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa

from realpeople.contract import ACCEPTED_SOURCE_TYPES, LATE_EVENT_DAYS, TABLES
from realpeople.defs.ingest.landing import Entry, LandingSurvey, delivery_contents, survey_landing
from realpeople.defs.ingest.reader import LandedFile, describe_ignored, read_landed_file
from realpeople.warehouse import sql_reader, transaction

# Nothing on the platform can predate it; earlier timestamps are corrupt values.
PLATFORM_EPOCH = "2013-01-01"


class DeliveryError(ValueError):
    """A delivery that cannot be loaded at all (e.g. an unknown table)."""


@dataclass
class Problem:
    """Rows of one file quarantined for one reason: the column, what was wrong, how many
    rows, and the first such row as an example."""

    column: str
    problem: str
    rows: int
    example_row: int | None
    example: str

    def describe(self, path: str) -> str:
        return (
            f"{path}: column '{self.column}': {self.problem}: {self.rows} row(s) quarantined "
            f"(first at row {self.example_row}: {self.example})"
        )


@dataclass
class FileReport:
    """What happened to one landed file."""

    path: str
    file_format: str
    rows_landed: int | None
    rows_loaded: int
    rows_quarantined: int
    rejected_reason: str | None = None
    ignored_columns: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def message(self) -> str | None:
        """The rejection as an operator reads it: file, column, what was wrong."""
        return f"{self.path}: {self.rejected_reason}" if self.rejected_reason else None

    @property
    def messages(self) -> list[str]:
        """Every problem of the file as an operator reads it: file, column, count, example."""
        if self.rejected_reason:
            return [f"{self.message} ({self.rows_quarantined} row(s) quarantined)"]
        return [p.describe(self.path) for p in self.problems]


@dataclass
class DeliveryReport:
    """What happened to one delivery: per file, and in total."""

    table: str
    delivery_date: date
    files: list[FileReport]
    quarantine_reasons: dict[str, int]
    # Ids repeated inside this delivery, and ids an earlier delivery already brought: not
    # errors (the contract says a repeat is the same row; staging deduplicates), but
    # counted so a re-export or a looping exporter is noticed.
    # Entries of the delivery folder that are not files to load (nested folders, hidden
    # or compressed-in-another-format files, links, sockets), with why: in the ledger too.
    refused_entries: list[Entry] = field(default_factory=list)
    repeated_ids: int = 0
    repeated_id_example: str | None = None
    ids_delivered_before: int = 0
    id_delivered_before_example: str | None = None

    @property
    def rows_landed(self) -> int:
        return sum(f.rows_landed or 0 for f in self.files)

    @property
    def rows_loaded(self) -> int:
        return sum(f.rows_loaded for f in self.files)

    @property
    def rows_quarantined(self) -> int:
        return sum(f.rows_quarantined for f in self.files)

    @property
    def rejected_files(self) -> list[FileReport]:
        return [f for f in self.files if f.rejected_reason]

    @property
    def messages(self) -> list[str]:
        """Every problem of the delivery, one line each (file, column, count, example)."""
        out = [m for f in self.files for m in f.messages]
        out += [f"{e.message} (not loaded)" for e in self.refused_entries]
        key = TABLES[self.table].key
        if self.repeated_ids:
            out.append(
                f"{self.table} dt={self.delivery_date}: {self.repeated_ids} {key}(s) repeated "
                f"within the delivery (e.g. {self.repeated_id_example!r}); staging keeps one"
            )
        # Accounts and appeals re-send an id to update it: only a repeat of an event or a
        # review is worth a line.
        if self.ids_delivered_before and self.table in ("events", "reviews"):
            out.append(
                f"{self.table} dt={self.delivery_date}: {self.ids_delivered_before} {key}(s) "
                f"already delivered on an earlier date (e.g. {self.id_delivered_before_example!r}); "
                "staging keeps one"
            )
        return out


sql = sql_reader(__file__)


def ensure_raw_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(sql("create_raw_tables.sql"))


def delivery_dir(landing_dir: Path, table: str, delivery_date: date) -> Path:
    return Path(landing_dir) / table / f"dt={delivery_date.isoformat()}"


def list_delivery_files(landing_dir: Path, table: str, delivery_date: date) -> list[Path]:
    """The delivery's files to load, in file order (by name, as the contract's 'latest
    wins' uses); other entries of the folder are refused (see :func:`delivery_contents`)."""
    return delivery_contents(landing_dir, table, delivery_date)[0]


def discover_delivery_dates(
    landing_dir: Path, first_date: date | None = None, last_date: date | None = None
) -> dict[str, list[date]]:
    """Every loadable delivery date in the landing zone, per table, sorted.

    Never raises for a bad folder: a folder that is not a valid ``dt=`` date (or is
    outside ``first_date``..``last_date``) is refused by :func:`survey_landing`, which
    says why, and recorded by :func:`record_landing_survey`.
    """
    return survey_landing(landing_dir, first_date, last_date).deliveries


def recorded_files(con: duckdb.DuckDBPyConnection) -> set:
    """Every file the ledger recorded, as (table, delivery date, path, bytes, mtime ns):
    what :func:`realpeople.defs.ingest.landing.pending_deliveries` compares with. Empty
    before the first load (no ledger yet)."""
    has_ledger = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'raw' and table_name = 'deliveries'"
    ).fetchone()[0]
    return set(con.execute(sql("ledger_files.sql")).fetchall()) if has_ledger else set()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class _Staged:
    """One landed file after staging: the file as opened, and the temp table holding its
    rows (``validated_<i>``, or ``landed_<i>`` for a file whose header is rejected), or
    none when the file could not be read."""

    landed: LandedFile
    source: str | None = None
    header_rejection: str | None = None


def _stage_file(
    con: duckdb.DuckDBPyConnection, table: str, index: int, path: Path, delivery_date: date
) -> _Staged:
    """Read a landed file (through pyarrow: the path is literal) and stream it into a temp
    table, outside any transaction: a file DuckDB cannot take is rejected here, alone.

    A file whose header follows the contract is validated on the way in, in one pass over
    the stream (``validate_<table>.sql`` into ``validated_<index>``): each row typed, with
    its first reason and, for a row with a reason, the row as it arrived. Only that one
    copy of the file is held in DuckDB, and Arrow holds a few batches at a time (read ahead
    on a thread of the reader's, ``READ_AHEAD_BATCHES``). A file whose
    header is rejected is copied as it arrived (``landed_<index>``), to be quarantined
    whole."""
    landed = read_landed_file(path, table)
    staged = _Staged(landed)
    if landed.batches is None:
        return staged
    staged.header_rejection = _check_header(con, table, landed.batches.schema)
    try:
        con.register("landed", landed.stream())
        if staged.header_rejection is None:
            con.execute(sql(f"validate_{table}.sql"), _validation_params(table, delivery_date))
            staged.source = f"validated_{index}"
            con.execute(f"alter table validated rename to {staged.source}")  # our own temp table
        else:
            con.execute(sql("stage_landed.sql"))
            staged.source = f"landed_{index}"
            con.execute(f"alter table landed_copy rename to {staged.source}")  # our own temp table
    except duckdb.Error as exc:
        # The reader's own reason when the stream failed (a broken page, a limit), else
        # DuckDB's (a value it cannot hold).
        staged.source = None
        landed.rejected_reason = landed.rejected_reason or (
            f"unreadable {landed.file_format} file: {str(exc).splitlines()[0]}"
        )
    finally:
        con.unregister("landed")
        landed.close()  # a load that failed half-way stops the reading thread here
    return staged


def _validation_params(table: str, delivery_date: date) -> dict:
    return {
        "delivery_date": delivery_date,
        "platform_epoch": PLATFORM_EPOCH,
        **({"late_days": LATE_EVENT_DAYS} if table == "events" else {}),
    }


def _check_header(con: duckdb.DuckDBPyConnection, table: str, schema: pa.Schema) -> str | None:
    """The rejection reason for a file of Arrow ``schema`` (as DuckDB reads it), or None: a
    missing contract column, or one of a type that cannot be cast. (Extra columns were
    already set aside by the reader, which reports them.)"""
    con.register("landed_header", schema.empty_table())
    try:
        landed_types = {
            name: dtype for name, dtype, *_ in con.execute("describe landed_header").fetchall()
        }
    finally:
        con.unregister("landed_header")
    spec = TABLES[table]
    for column in spec.columns:
        if column.name not in landed_types:
            return f"missing required column '{column.name}'"
    for column in spec.columns:
        source_type = landed_types[column.name]
        base_type = source_type.split("(")[0]
        if base_type not in ACCEPTED_SOURCE_TYPES[column.type]:
            return (
                f"column '{column.name}' has type {source_type}, which cannot be cast to "
                f"the contract's {column.type}"
            )
    return None


def load_delivery(
    con: duckdb.DuckDBPyConnection, landing_dir: Path, table: str, delivery_date: date
) -> DeliveryReport:
    """Load (or reload) every file of one delivery into ``raw.<table>``.

    Valid rows go to ``raw.<table>``; rows that break the contract go to
    ``raw.quarantine`` with their reason; a file that cannot be read, or whose header
    breaks the contract, is rejected on its own (with its rows quarantined when they
    could be read) and the other files load. Each file gets a row in ``raw.deliveries``,
    and every other entry of the delivery folder (nested folder, hidden or unreadable-format
    file, link, socket) a row in ``raw.landing_entries``. Everything happens in one
    transaction.
    """
    if table not in TABLES:
        raise DeliveryError(f"unknown table {table!r}; expected one of {sorted(TABLES)}")
    ensure_raw_tables(con)
    # Values without an offset are UTC (contract); casts to TIMESTAMPTZ read them in the
    # session time zone. (Set here, not at connect: ICU settings can't go in the config.)
    con.execute("set TimeZone = 'UTC'")
    con.execute(sql("macros.sql"))
    files, refused = delivery_contents(landing_dir, table, delivery_date)
    params = {"table_name": table, "delivery_date": delivery_date}
    reports = _load_files(con, table, delivery_date, files, refused)
    reasons = dict(con.execute(sql("quarantine_reasons.sql"), params).fetchall())
    report = DeliveryReport(table, delivery_date, reports, reasons, refused_entries=refused)
    # `table` and its key come from the closed set TABLES, never from input.
    key = TABLES[table].key
    # Events: only the deliveries that can hold the same event (see repeated_ids.sql).
    earliest = (
        delivery_date - timedelta(days=LATE_EVENT_DAYS + 1) if table == "events" else date.min
    )
    (
        report.repeated_ids,
        report.repeated_id_example,
        report.ids_delivered_before,
        report.id_delivered_before_example,
    ) = con.execute(
        sql("repeated_ids.sql").replace("raw.__table__", f"raw.{table}").replace("__key__", key),
        {"delivery_date": delivery_date, "earliest_delivery": earliest},
    ).fetchone()
    return report


def _load_files(
    con: duckdb.DuckDBPyConnection,
    table: str,
    delivery_date: date,
    files: list[Path],
    refused: list[Entry],
) -> list[FileReport]:
    """Replace the delivery in one transaction: its rows, quarantine, ledger and entries.

    Every file is read, validated and copied into DuckDB first, outside the transaction
    (:func:`_stage_file`): a DuckDB error inside a transaction aborts it, and a file DuckDB
    cannot take (e.g. a timestamp beyond its range) must be rejected alone, not abort the
    delivery.
    """
    params = {"table_name": table, "delivery_date": delivery_date}
    staged: list[_Staged] = []
    try:
        for i, path in enumerate(files):
            staged.append(_stage_file(con, table, i, path, delivery_date))
        reports: list[FileReport] = []
        with transaction(con):
            # `table` comes from the closed set TABLES (checked above), never from input.
            con.execute(
                f"delete from raw.{table} where _delivery_date = $delivery_date",
                {"delivery_date": delivery_date},
            )
            con.execute(sql("delete_quarantined_delivery.sql"), params)
            con.execute(sql("delete_delivery_record.sql"), params)
            con.execute(sql("delete_delivery_entries.sql"), params)
            _record_entries(con, refused, scope="delivery")
            for one in staged:
                reports.append(_load_file(con, table, delivery_date, one))
    finally:
        for one in staged:
            if one.source:
                con.execute(f"drop table if exists {one.source}")  # our own temp tables
    return reports


def _record_entries(con: duckdb.DuckDBPyConnection, entries: list[Entry], scope: str) -> None:
    for entry in entries:
        con.execute(
            sql("record_landing_entry.sql"),
            {
                "path": entry.path,
                "table_name": entry.table,
                "delivery_date": entry.delivery_date,
                "entry_kind": entry.kind,
                "reason": entry.reason,
                "scope": scope,
            },
        )


def record_landing_survey(con: duckdb.DuckDBPyConnection, survey: LandingSurvey) -> None:
    """Replace the ledger's record of the landing zone outside any delivery (refused
    delivery folders, stray files, unknown top-level entries) with ``survey``'s."""
    ensure_raw_tables(con)
    with transaction(con):
        con.execute(sql("delete_landing_entries.sql"))
        _record_entries(con, survey.refused, scope="landing")


def newest_delivery_with_rows(con: duckdb.DuckDBPyConnection, dates: list[date]) -> date | None:
    """The run date: the newest of ``dates`` whose delivery loaded rows (an empty dt=
    folder, or one whose every row was refused, does not move it)."""
    if not dates:
        return None
    return con.execute(
        sql("newest_delivery_with_rows.sql"), {"dates": sorted(set(dates))}
    ).fetchone()[0]


def ledger_rejections(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, str]]:
    """What the landing zone holds that was not loaded, per the ledger: (kind, path,
    reason), kind being 'delivery', 'file' or 'entry'. (Read-only: the raw tables exist
    once anything was recorded.)"""
    return con.execute(sql("ledger_rejections.sql")).fetchall()


def _load_file(
    con: duckdb.DuckDBPyConnection, table: str, delivery_date: date, staged: _Staged
) -> FileReport:
    """Load one staged file: its valid rows into ``raw.<table>``, the others into the
    quarantine with their reason, and its ledger row."""
    landed = staged.landed
    path = landed.path
    file_format = landed.file_format
    ignored = describe_ignored(landed.ignored_columns)
    file_params = {
        "table_name": table,
        "delivery_date": delivery_date,
        "source_file": str(path),
        "file_bytes": path.stat().st_size,
        "file_sha256": file_sha256(path),
        "file_mtime_ns": path.stat().st_mtime_ns,
    }
    if landed.rejected_reason is not None:
        # Unreadable (truncated Parquet, not UTF-8, beyond a limit): no row can be
        # counted, so the file itself is recorded as rejected, with where and why.
        reason = landed.rejected_reason
        con.execute(
            sql("record_delivery.sql"),
            {
                **file_params,
                "file_format": file_format,
                "rows_landed": None,
                "rows_loaded": 0,
                "rows_quarantined": 0,
                "rejected_reason": reason,
                "ignored_columns": ", ".join(ignored) or None,
            },
        )
        return FileReport(str(path), file_format, None, 0, 0, reason, ignored)
    rejected = staged.header_rejection
    problems: list[Problem] = []
    # The SQL files read `landed` (a file rejected whole) or `validated`; point the view at
    # this file's temp table (`staged.source` is one of our own names, never input).
    if rejected:
        con.execute(f"create or replace temp view landed as select * from {staged.source}")
        rows_landed = con.execute("select count(*) from landed").fetchone()[0]
        con.execute(
            sql("quarantine_landed_file.sql"),
            {**params_of(file_params), "reason": f"file rejected: {rejected}"},
        )
        rows_loaded, rows_quarantined = 0, rows_landed
        con.execute("drop view if exists landed")
    else:
        con.execute(f"create or replace temp view validated as select * from {staged.source}")
        rows_landed, rows_quarantined = con.execute(
            "select count(*), count(_reject_reason) from validated"
        ).fetchone()
        # `table` is from the closed set TABLES; BY NAME matches the contract's columns.
        con.execute(
            f"insert into raw.{table} by name "
            "select * exclude (_reject_reason, _landed_json), "
            "$delivery_date as _delivery_date, $source_file as _source_file, "
            "current_timestamp at time zone 'UTC' as _loaded_at "
            "from validated where _reject_reason is null",
            {"delivery_date": delivery_date, "source_file": str(path)},
        )
        con.execute(sql("quarantine_invalid_rows.sql"), params_of(file_params))
        rows_loaded = rows_landed - rows_quarantined
        problems = [Problem(*row) for row in con.execute(sql("file_problems.sql")).fetchall()]
        con.execute("drop view if exists validated")
    con.execute(
        sql("record_delivery.sql"),
        {
            **file_params,
            "file_format": file_format,
            "rows_landed": rows_landed,
            "rows_loaded": rows_loaded,
            "rows_quarantined": rows_quarantined,
            "rejected_reason": rejected,
            "ignored_columns": ", ".join(ignored) or None,
        },
    )
    return FileReport(
        str(path),
        file_format,
        rows_landed,
        rows_loaded,
        rows_quarantined,
        rejected,
        ignored,
        problems,
    )


def params_of(file_params: dict) -> dict:
    return {k: file_params[k] for k in ("table_name", "delivery_date", "source_file")}
