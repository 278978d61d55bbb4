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
