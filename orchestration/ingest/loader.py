"""Load one delivery (a table's ``dt=YYYY-MM-DD`` folder) into the raw layer.

Plain functions over a DuckDB connection, so they run the same from a Dagster asset, a
test or a notebook. A delivery is loaded in one transaction that first removes whatever
an earlier load of the same delivery wrote: re-running a delivery replaces it, and a run
killed half-way leaves the warehouse as it was.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from orchestration.warehouse import sql_reader
from orchestration.ingest.contract import ACCEPTED_SOURCE_TYPES, FILE_SUFFIXES, TABLES

# Nothing on the platform can predate it; earlier timestamps are corrupt values.
PLATFORM_EPOCH = "2013-01-01"


class DeliveryError(ValueError):
    """A delivery that cannot be read at all (e.g. its folder name is not a date)."""


class UnreadableFileError(DeliveryError):
    """A landed file that cannot be parsed (truncated Parquet, broken CSV quoting, bytes
    that are not UTF-8). Its rows cannot even be counted, so they cannot be quarantined:
    the delivery is not loaded at all (nothing written) and stays pending until the file
    is replaced or removed."""


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
        return (f"{path}: column '{self.column}': {self.problem}: {self.rows} row(s) quarantined "
                f"(first at row {self.example_row}: {self.example})")


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
        key = TABLES[self.table].key
        if self.repeated_ids:
            out.append(f"{self.table} dt={self.delivery_date}: {self.repeated_ids} {key}(s) repeated "
                       f"within the delivery (e.g. {self.repeated_id_example!r}); staging keeps one")
        # Accounts and appeals re-send an id to update it: only a repeat of an event or a
        # review is worth a line.
        if self.ids_delivered_before and self.table in ("events", "reviews"):
            out.append(f"{self.table} dt={self.delivery_date}: {self.ids_delivered_before} {key}(s) "
                       f"already delivered on an earlier date (e.g. {self.id_delivered_before_example!r}); "
                       "staging keeps one")
        return out


sql = sql_reader(__file__)


def ensure_raw_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(sql("create_raw_tables.sql"))


def delivery_dir(landing_dir: Path, table: str, delivery_date: date) -> Path:
    return Path(landing_dir) / table / f"dt={delivery_date.isoformat()}"


def list_delivery_files(landing_dir: Path, table: str, delivery_date: date) -> list[Path]:
    """The delivery's files in file order (by name), as the contract's 'latest wins' uses."""
    folder = delivery_dir(landing_dir, table, delivery_date)
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in FILE_SUFFIXES)


def parse_delivery_folder(name: str) -> date:
    """``dt=2026-11-01`` -> date; anything else is a :class:`DeliveryError`."""
    if not name.startswith("dt="):
        raise DeliveryError(f"delivery folder {name!r} is not named dt=YYYY-MM-DD")
    try:
        return date.fromisoformat(name[3:])
    except ValueError as exc:
        raise DeliveryError(f"delivery folder {name!r}: {name[3:]!r} is not a valid date") from exc


def discover_delivery_dates(landing_dir: Path) -> dict[str, list[date]]:
    """Every delivery date present in the landing zone, per table, sorted.

    A folder whose name is not a valid ``dt=`` date raises :class:`DeliveryError` naming
    it, rather than being skipped: a mistyped delivery must not go unnoticed.
    """
    found: dict[str, list[date]] = {}
    for table in TABLES:
        root = Path(landing_dir) / table
        dates = []
        if root.is_dir():
            for child in root.iterdir():
                if child.is_dir():
                    try:
                        dates.append(parse_delivery_folder(child.name))
                    except DeliveryError as exc:
                        raise DeliveryError(f"{child}: {exc}") from exc
        found[table] = sorted(dates)
    return found


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _stage_file(con: duckdb.DuckDBPyConnection, index: int, path: Path) -> tuple[str, str | None]:
    """Read a landed file into the temp table ``landed_<index>``.

    Returns (format, read error or None).
    """
    file_format = "parquet" if path.suffix.lower() == ".parquet" else "csv"
    # Every CSV column is read as text and cast row by row, so one bad value quarantines
    # one row instead of failing the file.
    try:
        con.execute(sql(f"read_{file_format}.sql"), {"path": str(path)})
        con.execute(f"alter table landed rename to landed_{index}")
    except duckdb.Error as exc:
        return file_format, str(exc).splitlines()[0]
    return file_format, None


def _check_header(con: duckdb.DuckDBPyConnection, table: str, path: Path) -> tuple[str | None, list[str]]:
    """Return (rejection reason or None, ignored extra columns) for the landed file."""
    landed_types = {name: dtype for name, dtype, *_ in con.execute("describe landed").fetchall()}
    spec = TABLES[table]
    for column in spec.columns:
        if column.name not in landed_types:
            return f"missing required column '{column.name}'", []
    for column in spec.columns:
        source_type = landed_types[column.name]
        base_type = source_type.split("(")[0]
        if base_type not in ACCEPTED_SOURCE_TYPES[column.type]:
            return (f"column '{column.name}' has type {source_type}, which cannot be cast to "
                    f"the contract's {column.type}"), []
    ignored = [name for name in landed_types
               if name not in spec.column_names and name != "_file_row"]
    return None, ignored


def load_delivery(
    con: duckdb.DuckDBPyConnection, landing_dir: Path, table: str, delivery_date: date
) -> DeliveryReport:
    """Load (or reload) every file of one delivery into ``raw.<table>``.

    Valid rows go to ``raw.<table>``; rows that break the contract go to
    ``raw.quarantine`` with their reason; a file whose header breaks the contract is
    rejected whole (its rows quarantined with the file-level reason). Each file gets a row
    in ``raw.deliveries``. Everything happens in one transaction.
    """
    if table not in TABLES:
        raise ValueError(f"unknown table {table!r}; expected one of {sorted(TABLES)}")
    ensure_raw_tables(con)
    # Values without an offset are UTC (contract); casts to TIMESTAMPTZ read them in the
    # session time zone. (Set here, not at connect: ICU settings can't go in the config.)
    con.execute("set TimeZone = 'UTC'")
    files = list_delivery_files(landing_dir, table, delivery_date)
    params = {"table_name": table, "delivery_date": delivery_date}
    # Read every file before the transaction: a read error inside a DuckDB transaction
    # aborts it, and an unreadable file must be recorded, not abort the delivery.
    staged = [_stage_file(con, i, path) for i, path in enumerate(files)]
    unreadable = [f"{path}: unreadable {fmt} file: {_diagnose(path, fmt, error)}"
                  for path, (fmt, error) in zip(files, staged) if error is not None]
    if unreadable:
        for i in range(len(files)):
            con.execute(f"drop table if exists landed_{i}")  # our own numbered temp tables
        raise UnreadableFileError(
            f"{table} dt={delivery_date}: {len(unreadable)} of {len(files)} file(s) cannot be read, "
            "so the delivery is not loaded (nothing written; replace or remove the file and "
            "re-run): " + " | ".join(unreadable))
    reports: list[FileReport] = []
    con.execute("begin transaction")
    try:
        # `table` comes from the closed set TABLES (checked above), never from input.
        con.execute(f"delete from raw.{table} where _delivery_date = $delivery_date",
                    {"delivery_date": delivery_date})
        con.execute(sql("delete_quarantined_delivery.sql"), params)
        con.execute(sql("delete_delivery_record.sql"), params)
        for index, (path, (file_format, read_error)) in enumerate(zip(files, staged)):
            reports.append(_load_file(con, table, delivery_date, path, index, file_format, read_error))
        con.execute("commit")
    except BaseException:
        con.execute("rollback")
        raise
    finally:
        for i in range(len(files)):
            con.execute(f"drop table if exists landed_{i}")  # our own numbered temp tables
    reasons = dict(con.execute(sql("quarantine_reasons.sql"), params).fetchall())
    report = DeliveryReport(table, delivery_date, reports, reasons)
    # `table` and its key come from the closed set TABLES, never from input.
    key = TABLES[table].key
    (report.repeated_ids, report.repeated_id_example, report.ids_delivered_before,
     report.id_delivered_before_example) = con.execute(
        sql("repeated_ids.sql").replace("raw.__table__", f"raw.{table}").replace("__key__", key),
        {"delivery_date": delivery_date}).fetchone()
    return report


def _diagnose(path: Path, file_format: str, duckdb_error: str) -> str:
    """Where and why a file cannot be read, in words: the line and the byte for a CSV.

    DuckDB's own message is kept for Parquet; for CSV it often says only "error when
    sniffing", so the file is re-read here (only on failure) to find the first bad line.
    """
    if file_format != "csv":
        return duckdb_error
    import csv
    import io

    data = path.read_bytes()
    if not data.strip():
        return "the file is empty (not even a header row)"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        return (f"line {line}: byte 0x{data[exc.start]:02x} is not UTF-8 "
                f"(the contract's encoding); DuckDB: {duckdb_error}")
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), strict=True)
    header_fields = None
    row_start = 1
    try:
        for fields in reader:
            if header_fields is None:
                header_fields = len(fields)
            elif len(fields) != header_fields:
                return (f"line {row_start}: {len(fields)} fields where the header has "
                        f"{header_fields}")
            row_start = reader.line_num + 1
    except csv.Error as exc:
        return f"row starting at line {row_start}: broken quoting ({exc})"
    return duckdb_error


def _load_file(con: duckdb.DuckDBPyConnection, table: str, delivery_date: date, path: Path,
               index: int, file_format: str, read_error: str | None) -> FileReport:
    file_params = {
        "table_name": table,
        "delivery_date": delivery_date,
        "source_file": str(path),
        "file_bytes": path.stat().st_size,
        "file_sha256": file_sha256(path),
    }
    if read_error is not None:
        # Unreadable (truncated Parquet, broken CSV): no row can be counted, so the file
        # itself is recorded as rejected with DuckDB's explanation.
        reason = f"unreadable {file_format} file: {read_error}"
        con.execute(sql("record_delivery.sql"), {
            **file_params, "file_format": file_format, "rows_landed": None,
            "rows_loaded": 0, "rows_quarantined": 0, "rejected_reason": reason,
            "ignored_columns": None})
        return FileReport(str(path), file_format, None, 0, 0, reason)
    # The SQL files read `landed`; point it at this file's staged table.
    con.execute(f"create or replace temp view landed as select * from landed_{index}")
    rows_landed = con.execute("select count(*) from landed").fetchone()[0]
    rejected, ignored = _check_header(con, table, path)
    problems: list[Problem] = []
    if rejected:
        con.execute(sql("quarantine_landed_file.sql"),
                    {**params_of(file_params), "reason": f"file rejected: {rejected}"})
        rows_loaded, rows_quarantined = 0, rows_landed
    else:
        con.execute(sql(f"validate_{table}.sql"), {
            "delivery_date": delivery_date, "platform_epoch": PLATFORM_EPOCH})
        # `table` is from the closed set TABLES; BY NAME matches the contract's columns.
        con.execute(
            f"insert into raw.{table} by name "
            "select * exclude (_reject_reason), "
            "$delivery_date as _delivery_date, $source_file as _source_file, "
            "current_timestamp at time zone 'UTC' as _loaded_at "
            "from validated where _reject_reason is null",
            {"delivery_date": delivery_date, "source_file": str(path)})
        con.execute(sql("quarantine_invalid_rows.sql"), params_of(file_params))
        rows_quarantined = con.execute(
            "select count(*) from validated where _reject_reason is not null").fetchone()[0]
        rows_loaded = rows_landed - rows_quarantined
        problems = [Problem(*row) for row in con.execute(sql("file_problems.sql")).fetchall()]
    con.execute(sql("record_delivery.sql"), {
        **file_params, "file_format": file_format, "rows_landed": rows_landed,
        "rows_loaded": rows_loaded, "rows_quarantined": rows_quarantined,
        "rejected_reason": rejected, "ignored_columns": ", ".join(ignored) or None})
    con.execute("drop view if exists landed")
    con.execute("drop table if exists validated")
    return FileReport(str(path), file_format, rows_landed, rows_loaded, rows_quarantined,
                      rejected, ignored, problems)


def params_of(file_params: dict) -> dict:
    return {k: file_params[k] for k in ("table_name", "delivery_date", "source_file")}
