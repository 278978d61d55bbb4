"""What a delivery's loaded values look like, against the formats the contract describes.

Grain: one :class:`FormatFinding` per (column, format) of ``contract.COLUMN_FORMATS`` and
delivery; measured in one SQL pass over the rows the delivery loaded
(``sql/value_formats_<table>.sql``), right after the load, by the load itself.

Every row was already validated at load (types, required values, value sets, dates:
``sql/validate_<table>.sql``), and rows that broke the contract were quarantined one by
one. What is left to see is what the contract describes but does not make binding row by
row: country codes, hex hashes, ids and texts of a plausible length. A delivery where many
values of a column are off (an export that switched to country names, a hash column full
of URLs) is worth a look, not a stop: the raw asset's ``value_formats`` check warns.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb

from realpeople.contract import COLUMN_FORMATS, MIN_ROWS_LOADED, VALUE_FORMATS
from realpeople.defs.ingest.loader import sql


@dataclass(frozen=True)
class FormatFinding:
    """One column of one delivery against one format."""

    column: str
    format: str
    present: int  # values present (not null)
    off: int  # of those, values off the format
    example: str | None  # the first off value (by file, then row), cut to 80 characters
    example_file: str | None
    example_row: int | None

    @property
    def share_off(self) -> float:
        return self.off / self.present if self.present else 0.0

    @property
    def within_tolerance(self) -> bool:
        return self.share_off <= VALUE_FORMATS[self.format].tolerance

    def describe(self) -> str:
        """What an operator reads: the column, the rule, how many, and where to look."""
        rule = VALUE_FORMATS[self.format]
        expected = (
            f"matching {rule.pattern}" if rule.pattern else f"at most {rule.max_chars} characters"
        )
        return (
            f"{self.column}: {self.off:,} of {self.present:,} values ({self.share_off:.1%}) not "
            f"{expected} ({self.format}; tolerated up to {rule.tolerance:.1%}); first in "
            f"{self.example_file} row {self.example_row}: {self.example!r}"
        )


def format_parameters(table: str) -> dict[str, object]:
    """The SQL's parameters: each format the table uses, by name, as its pattern or its
    length (DuckDB refuses a named parameter a statement does not use)."""
    used = sorted(set(COLUMN_FORMATS[table].values()))
    return {name: VALUE_FORMATS[name].pattern or VALUE_FORMATS[name].max_chars for name in used}


def measure_formats(
    con: duckdb.DuckDBPyConnection, table: str, delivery_date: date
) -> tuple[int, list[FormatFinding]]:
    """The rows ``delivery_date`` loaded into ``raw.<table>`` and one finding per declared
    (column, format). Needs the ingest macros (``sql/macros.sql``) on ``con``."""
    rows = con.execute(
        sql(f"value_formats_{table}.sql"),
        {"delivery_date": delivery_date, **format_parameters(table)},
    ).fetchall()
    findings = [
        FormatFinding(column, fmt, present, off, value, file, row)
        for column, fmt, present, off, file, row, value, _ in rows
    ]
    return (rows[0][-1] if rows else 0), findings


def formats_verdict(table: str, rows_loaded: int, findings: list[FormatFinding]) -> list[str]:
    """What is off in a delivery of ``table``, one sentence each; empty when nothing is."""
    problems = [f.describe() for f in findings if not f.within_tolerance]
    least = MIN_ROWS_LOADED.get(table, 0)
    if rows_loaded < least:
        problems.insert(
            0,
            f"{rows_loaded} {table} rows loaded: a delivery is expected to load at least "
            f"{least} (every file rejected, every row quarantined, or no {table} file)",
        )
    return problems
