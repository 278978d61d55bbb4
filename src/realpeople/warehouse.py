"""Two small helpers every stage uses against the DuckDB warehouse."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb


def sql_reader(module_file: str) -> Callable[[str], str]:
    """``sql(name)`` for the ``sql/`` folder beside a module: SQL lives in .sql files."""
    folder = Path(module_file).parent / "sql"

    def sql(name: str) -> str:
        return (folder / name).read_text()

    return sql


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """Commit what the block wrote, or roll it all back: a date is replaced whole or not at all."""
    con.execute("begin transaction")
    try:
        yield con
    except BaseException:
        con.execute("rollback")
        raise
    con.execute("commit")


def has_tables(con: duckdb.DuckDBPyConnection, *names: str, schema: str = "main") -> bool:
    """Whether every one of ``names`` exists in ``schema`` (a read-only caller cannot
    create them, and a warehouse before its first run has none)."""
    found = con.execute(
        "select count(distinct table_name) from information_schema.tables "
        "where table_schema = ? and list_contains(?, table_name)",
        [schema, list(names)],
    ).fetchone()[0]
    return found == len(set(names))
