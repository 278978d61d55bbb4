"""sqlfluff on the dbt models, with dbt's own templater (``make lint``).

Runs in the linter's environment (``.venv-lint``, requirements-lint.lock), which has dbt
and DuckDB but not this package: hence no ``realpeople`` import here.

dbt compiles each model to lint it, and some macros query the warehouse while compiling
(the run date's default reads ``raw.events``): so this lints against a scratch DuckDB
file holding the raw layer's empty tables (the same DDL ingestion runs), never against
the real warehouse. Extra arguments go to sqlfluff (e.g. ``fix``; default ``lint``).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
RAW_DDL = REPO_ROOT / "src" / "realpeople" / "defs" / "ingest" / "sql" / "create_raw_tables.sql"


def main(argv: list[str]) -> int:
    command = argv or ["lint"]
    with tempfile.TemporaryDirectory(prefix="realpeople-lint-") as tmp:
        warehouse = Path(tmp) / "warehouse.duckdb"
        with duckdb.connect(str(warehouse)) as con:
            con.execute(RAW_DDL.read_text())
        env = {
            **os.environ,
            "REALPEOPLE_WAREHOUSE_PATH": str(warehouse),
            "REALPEOPLE_DUCKDB_TEMP_DIR": str(Path(tmp) / "spill"),
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        }
        sqlfluff = Path(sys.executable).parent / "sqlfluff"
        done = subprocess.run(
            [str(sqlfluff), *command, str(DBT_PROJECT_DIR / "models")],
            cwd=REPO_ROOT,
            env=env,
            check=False,
            capture_output=True,
            text=True,
        )
    sys.stdout.write(done.stdout)
    sys.stderr.write(done.stderr)
    # sqlfluff skips a model dbt cannot compile and still exits 0: a lint that silently
    # checks fewer files cannot fail, so a skipped model fails it.
    skipped = [line for line in (done.stdout + done.stderr).splitlines() if "Skipped file" in line]
    if skipped:
        print(f"{len(skipped)} model(s) not linted: dbt could not compile them", file=sys.stderr)
        return 1
    return done.returncode


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
