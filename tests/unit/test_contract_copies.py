"""Every copy of the contract's tables agrees with its one declaration (realpeople.contract).

The declaration is ``contract.TABLES`` (columns, types, nullability; value sets in
``realpeople.vocabulary``). Some places cannot import it and hold a copy: the raw DDL
and the row validation SQL (DuckDB), dbt's sources, the raw Great Expectations suites and
the human page docs/contract.md. Each test reads one copy the way its consumer does and
fails, naming the table and column, when it says something else. (The simulator's Arrow
schemas are derived from the declaration, so they are checked by construction, and once
here.)
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest
import yaml

from realpeople import contract
from realpeople.expectations import load_suite

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
def test_raw_suites_expect_the_declared_columns_and_nulls(table):
    suite = load_suite(f"raw_{table}")
    by_type: dict[str, list[dict]] = {}
    for exp in suite["expectations"]:
        by_type.setdefault(exp["type"], []).append(exp["kwargs"])
    (column_set,) = by_type["expect_table_columns_to_match_set"]
    assert sorted(column_set["column_set"]) == sorted([n for n, _, _ in declared(table)] + LINEAGE)
    not_null = {k["column"] for k in by_type["expect_column_values_to_not_be_null"]}
    required = {n for n, _, nullable in declared(table) if not nullable} | set(LINEAGE)
    assert not_null == required, f"raw_{table}.json: not-null expectations differ from the contract"
    mentioned = {k["column"] for kwargs in by_type.values() for k in kwargs if "column" in k}
    assert mentioned <= required | {n for n, _, _ in declared(table)}, (
        f"raw_{table}.json: unknown column"
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
