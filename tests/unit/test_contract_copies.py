"""Every copy of the contract's tables agrees with its one declaration (realpeople.contract).

The declaration is ``contract.TABLES`` (columns, types, nullability; value sets in
``realpeople.vocabulary``). Some places cannot import it and hold a copy: the raw DDL
and the row validation SQL (DuckDB), the values' format SQL, dbt's sources and the human
page docs/contract.md. Each test reads one copy the way its consumer does and
fails, naming the table and column, when it says something else. (The simulator's Arrow
schemas are derived from the declaration, so they are checked by construction, and once
here.)
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import duckdb
import pytest
import yaml

from realpeople import contract

ROOT = Path(__file__).resolve().parents[2]
INGEST_SQL = ROOT / "src" / "realpeople" / "defs" / "ingest" / "sql"
LINEAGE = [name for name, _ in contract.LINEAGE_COLUMNS]
TABLES = sorted(contract.TABLES)


def declared(table: str) -> list[tuple[str, str, bool]]:
    return [(c.name, c.type, c.nullable) for c in contract.TABLES[table].columns]


def ddl_disagreements(ddl: str) -> list[str]:
    """What raw tables created by ``ddl`` say differently from the declaration."""
    con = duckdb.connect()
    con.execute(ddl)
    problems = []
    for table in TABLES:
        rows = con.execute(
            "select column_name, data_type, is_nullable from information_schema.columns "
            "where table_schema = 'raw' and table_name = ? order by ordinal_position",
            [table],
        ).fetchall()
        expected = [
            (name, contract.RAW_TYPES[kind], "YES" if nullable else "NO")
            for name, kind, nullable in declared(table)
        ]
        expected += [(name, kind, "NO") for name, kind in contract.LINEAGE_COLUMNS]
        problems += [
            f"raw.{table}: {got} where the contract says {want}"
            for got, want in zip(rows, expected)
            if got != want
        ]
        if len(rows) != len(expected):
            problems.append(
                f"raw.{table}: {len(rows)} columns where the contract says {len(expected)}"
            )
    return problems


def test_raw_ddl_is_the_declaration_plus_lineage():
    assert ddl_disagreements((INGEST_SQL / "create_raw_tables.sql").read_text()) == []


@pytest.mark.parametrize("table", TABLES)
def test_row_validation_types_every_column_and_rejects_every_required_null(table):
    text = (INGEST_SQL / f"validate_{table}.sql").read_text()
    typed = set(re.findall(r"\bas (\w+),?\s*$", text, flags=re.MULTILINE))
    for name, _, nullable in declared(table):
        assert name in typed, f"validate_{table}.sql does not type column {name}"
        reason = re.search(rf"when {name} is null then '{name}: null", text)
        raw_reason = re.search(rf"when _{name}_raw is null then '{name}: null", text)
        if nullable:
            assert not (reason or raw_reason), (
                f"validate_{table}.sql rejects a null {name} (nullable)"
            )
        else:
            assert reason or raw_reason, (
                f"validate_{table}.sql lets a null {name} through (required)"
            )


def test_dbt_sources_list_the_declared_columns():
    sources = yaml.safe_load(
        (ROOT / "dbt_project" / "models" / "staging" / "_sources.yml").read_text()
    )
    raw = next(s for s in sources["sources"] if s["name"] == "raw")
    spark_type = {
        "string": "string",
        "timestamp": "timestamp",
        "integer": "bigint",
        "boolean": "boolean",
    }
    for entry in raw["tables"]:
        columns = {c["name"]: c["data_type"] for c in entry["columns"]}
        expected = {name: spark_type[kind] for name, kind, _ in declared(entry["name"])}
        assert {k: v for k, v in columns.items() if not k.startswith("_")} == expected, entry[
            "name"
        ]
        assert sorted(k for k in columns if k.startswith("_")) == sorted(LINEAGE), entry["name"]
    assert sorted(t["name"] for t in raw["tables"]) == TABLES


@pytest.mark.parametrize("table", TABLES)
def test_the_format_sql_measures_the_declared_formats_and_nothing_else(table):
    """``sql/value_formats_<table>.sql`` names its columns and formats (DuckDB cannot take
    a column name as a parameter): run on the raw tables, it gives one row per declared
    (column, format) of contract.COLUMN_FORMATS, each a string column of the table and a
    format of contract.VALUE_FORMATS."""
    from realpeople.defs.ingest.formats import measure_formats

    strings = {c.name for c in contract.TABLES[table].columns if c.type == "string"}
    declared_formats = contract.COLUMN_FORMATS[table]
    assert set(declared_formats) <= strings, f"{table}: a format on an unknown or typed column"
    assert set(declared_formats.values()) <= set(contract.VALUE_FORMATS)
    con = duckdb.connect()
    con.execute((INGEST_SQL / "create_raw_tables.sql").read_text())
    con.execute((INGEST_SQL / "macros.sql").read_text())
    rows_loaded, findings = measure_formats(con, table, date(2026, 1, 1))
    assert rows_loaded == 0
    assert [(f.column, f.format) for f in findings] == list(declared_formats.items()), (
        f"value_formats_{table}.sql measures other columns or formats than contract.COLUMN_FORMATS"
    )


def test_the_human_page_lists_the_declared_columns():
    text = (ROOT / "docs" / "contract.md").read_text()
    for table in TABLES:
        section = re.search(rf"^## {table} — .*?(?=^## )", text, flags=re.MULTILINE | re.DOTALL)
        assert section, f"docs/contract.md has no section for {table}"
        rows = re.findall(
            r"^\| (\w+) \| (\w+) \| (yes|no) \|", section.group(0), flags=re.MULTILINE
        )
        assert [(n, k, null == "yes") for n, k, null in rows] == declared(table), table


def test_the_simulator_writes_the_declared_schema():
    from realpeople.simulator.schema import SCHEMAS

    for table in TABLES:
        schema = SCHEMAS[table]
        assert [(f.name, f.nullable) for f in schema] == [(n, nl) for n, _, nl in declared(table)]


def test_a_disagreeing_copy_is_caught():
    """The DDL check is not vacuous: a copy that makes a required column nullable fails it."""
    ddl = (INGEST_SQL / "create_raw_tables.sql").read_text()
    broken = ddl.replace("verdict varchar not null", "verdict varchar", 1)
    assert broken != ddl
    assert ddl_disagreements(broken) == [
        "raw.reviews: ('verdict', 'VARCHAR', 'YES') where the contract says ('verdict', 'VARCHAR', 'NO')"
    ]
