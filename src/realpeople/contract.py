"""The input tables of the activity data contract (docs/contract.md, version 1.1).

The authoritative text is the contract page; this module is its machine-readable
column list, used to check a landed file's header and column types before its rows are
validated row by row (``sql/validate_<table>.sql``), and the one declaration of what the
contract leaves to the pipeline: which file formats are read and the size limits
(``LIMITS``, explained in docs/limits.md).
"""

from __future__ import annotations

from dataclasses import dataclass

# Source column types a contract type can be read from. VARCHAR is always accepted (CSV
# delivers text), and then each value is cast row by row; anything else (e.g. a Parquet
# BOOLEAN where a timestamp belongs) rejects the whole file, as the contract says.
_TEXTUAL = ("VARCHAR",)
# UUID-typed ids (Parquet's UUID logical type) are read as their canonical text.
_STRING_LIKE = _TEXTUAL + ("UUID",)
_INTEGERS = (
    "TINYINT",
    "SMALLINT",
    "INTEGER",
    "BIGINT",
    "HUGEINT",
    "UTINYINT",
    "USMALLINT",
    "UINTEGER",
    "UBIGINT",
)
ACCEPTED_SOURCE_TYPES: dict[str, tuple[str, ...]] = {
    "string": _STRING_LIKE + _INTEGERS,
    "timestamp": _TEXTUAL
    + (
        "TIMESTAMP",
        "TIMESTAMP WITH TIME ZONE",
        "TIMESTAMP_S",
        "TIMESTAMP_MS",
        "TIMESTAMP_NS",
        "DATE",
    ),
    "integer": _TEXTUAL + _INTEGERS + ("DOUBLE", "FLOAT", "DECIMAL"),
    "boolean": _TEXTUAL + ("BOOLEAN",) + _INTEGERS,
}


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # contract type: string | timestamp | integer | boolean
    nullable: bool


@dataclass(frozen=True)
class Table:
    name: str
    key: str
    columns: tuple[Column, ...]

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


def _cols(*spec: tuple[str, str, bool]) -> tuple[Column, ...]:
    return tuple(Column(*s) for s in spec)


TABLES: dict[str, Table] = {
    "accounts": Table(
        "accounts",
        "account_id",
        _cols(
            ("account_id", "string", False),
            ("created_at", "timestamp", False),
            ("declared_country", "string", True),
            ("bio", "string", True),
            ("avatar_hash", "string", True),
            ("signup_client", "string", False),
            ("signup_ip_country", "string", True),
            ("follower_count", "integer", False),
            ("following_count", "integer", False),
        ),
    ),
    "events": Table(
        "events",
        "event_id",
        _cols(
            ("event_id", "string", False),
            ("account_id", "string", False),
            ("event_ts", "timestamp", False),
            ("event_type", "string", False),
            ("client", "string", False),
            ("device_id", "string", True),
            ("ip_country", "string", True),
            ("target_account_id", "string", True),
            ("target_event_id", "string", True),
            ("text", "string", True),
            ("image_hash", "string", True),
            ("location_tag", "string", True),
            ("ai_label", "boolean", True),
            ("ai_metadata", "boolean", True),
            ("commercial", "boolean", True),
        ),
    ),
    "reviews": Table(
        "reviews",
        "review_id",
        _cols(
            ("review_id", "string", False),
            ("account_id", "string", False),
            ("reviewed_at", "timestamp", False),
            ("verdict", "string", False),
            ("source", "string", False),
        ),
    ),
    "appeals": Table(
        "appeals",
        "appeal_id",
        _cols(
            ("appeal_id", "string", False),
            ("account_id", "string", False),
            ("action", "string", False),
            ("filed_at", "timestamp", False),
            ("outcome", "string", False),
            ("decided_at", "timestamp", True),
        ),
    ),
}

# The pipeline's bookkeeping columns on every raw table, after the contract's own
# (contract 1.1 reserves the `_` prefix for them), with their DuckDB types.
LINEAGE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("_delivery_date", "DATE"),  # the dt= folder the row came in
    ("_source_file", "VARCHAR"),  # the landed file, relative to the landing zone
    ("_file_row", "BIGINT"),  # 0-based row order in that file
    ("_loaded_at", "TIMESTAMP"),  # when the load committed (UTC)
)
# The DuckDB type of each contract type in the raw layer.
RAW_TYPES: dict[str, str] = {
    "string": "VARCHAR",
    "timestamp": "TIMESTAMP",
    "integer": "BIGINT",
    "boolean": "BOOLEAN",
}

# The contract's value sets are declared once, in src/realpeople/vocabulary.py.
# File name endings the pipeline reads, and as what. Gzip is read natively (streamed,
# within LIMITS.decompressed_bytes); anything else (.zip, .bz2, .parquet.gz, .json) is
# recorded in the ledger as not read.
FILE_FORMATS: dict[str, str] = {".parquet": "parquet", ".csv": "csv", ".csv.gz": "csv"}

# Reserved by contract 1.1 for the pipeline's bookkeeping (e.g. the lineage column
# `_file_row`): an input column whose name starts with it is ignored and reported.
RESERVED_PREFIX = "_"

# Late data (contract): an events delivery may hold events up to this many days older
# than its dt; older ones are quarantined, and so are events after the end of dt.
LATE_EVENT_DAYS = 3


@dataclass(frozen=True)
class ValueFormat:
    """What a delivered value of some columns is expected to look like, beyond its type.

    The contract describes these formats ("ISO 3166-1 alpha-2", "perceptual hash (hex)")
    on nullable columns without making them binding row by row, and it leaves the length
    of ids and texts open: a value off its format is loaded as it came. What is checked is
    the delivery: more than ``tolerance`` of a column's present values off is reported by
    the load's ``value_formats`` check (a warning, ``defs/ingest/formats.py``), naming the
    file, the column and an example.
    """

    pattern: str | None = None  # a regular expression the whole value matches
    max_chars: int | None = None  # at most this many characters
    tolerance: float = 0.0  # share of a delivery's present values that may be off


# Named, because a name is what `sql/value_formats_<table>.sql` passes as a parameter.
VALUE_FORMATS: dict[str, ValueFormat] = {
    # Ids: usable as keys, not blobs (a 1 MiB value would be within LIMITS.field_bytes).
    "id_chars": ValueFormat(max_chars=200),
    "country": ValueFormat(pattern="[A-Z]{2}", tolerance=0.01),
    "hex": ValueFormat(pattern="[0-9a-fA-F]+", tolerance=0.01),
    # Bodies are short; a rare huge one is tolerated, many are a broken export.
    "bio_chars": ValueFormat(max_chars=10_000, tolerance=0.001),
    "text_chars": ValueFormat(max_chars=100_000, tolerance=0.001),
}
# Which columns each format applies to, per table.
COLUMN_FORMATS: dict[str, dict[str, str]] = {
    "accounts": {
        "account_id": "id_chars",
        "declared_country": "country",
        "bio": "bio_chars",
        "avatar_hash": "hex",
        "signup_ip_country": "country",
    },
    "events": {
        "event_id": "id_chars",
        "account_id": "id_chars",
        "ip_country": "country",
        "target_account_id": "id_chars",
        "target_event_id": "id_chars",
        "text": "text_chars",
        "image_hash": "hex",
        "location_tag": "country",
    },
    "reviews": {"review_id": "id_chars", "account_id": "id_chars"},
    "appeals": {"appeal_id": "id_chars", "account_id": "id_chars"},
}
# A delivery is expected to load at least this many rows of a table: a delivery that
# loads no event at all (every file rejected, every row quarantined, no events file) is
# reported; a day without reviews or appeals is ordinary.
MIN_ROWS_LOADED: dict[str, int] = {"events": 1}


@dataclass(frozen=True)
class Limits:
    """Sizes the contract leaves open, enforced per file (docs/limits.md says why each).

    A value or a row beyond them is quarantined; a file beyond them is rejected; the
    reason names the limit.
    """

    field_bytes: int = 1 << 20  # one value (UTF-8 bytes): 1 MiB; the row is quarantined
    line_bytes: int = 16 << 20  # one CSV line: 16 MiB; beyond it the file cannot be split
    rows_per_file: int = 20_000_000  # rows in one file: the file is rejected beyond it
    columns_per_file: int = 1_000  # columns in one file's header or schema
    decompressed_bytes: int = 4 << 30  # one file's data after decompression: 4 GiB


LIMITS = Limits()
