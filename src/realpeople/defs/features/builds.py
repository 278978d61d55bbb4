"""Whether a run date's features are current: the fingerprint of what a build read.

Grain: one row per run date in ``main.features_builds``. A build records the raw layer's
state (newest load and files in the delivery ledger, read before dbt starts), the dbt
project's sources, the dbt vars and the engine. ``make run`` rebuilds a date only when
that fingerprint moved: a re-run with nothing new to load skips the features (at 100k
accounts x 28 days they cost minutes), and any load, model edit or setting that the
features read makes the next run rebuild.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

import duckdb

from realpeople.defs.features.project import project_fingerprint
from realpeople.ml.features import MART_COLUMNS
from realpeople.settings import Settings
from realpeople.warehouse import has_tables, sql_reader, transaction

sql = sql_reader(__file__)
# Bump when account_cluster_features changes, so existing snapshots are rebuilt once.
CLUSTER_FEATURES_VERSION = 1


def build_inputs(con: duckdb.DuckDBPyConnection, settings: Settings) -> str | None:
    """The fingerprint of what a features build as of now would read (None before any
    delivery was recorded)."""
    has_ledger = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'raw' and table_name = 'deliveries'"
    ).fetchone()[0]
    if not has_ledger:
        return None
    loaded_through, files = con.execute(sql("features_build_inputs.sql")).fetchone()
    state = {
        "raw": [str(loaded_through), files],
        "dbt_project": project_fingerprint(),
        "vars": settings.dbt_vars(),
        "engine": settings.engine,
        # the step after dbt (clustered.py) is part of a build: a change to it rebuilds
        "cluster_features": CLUSTER_FEATURES_VERSION,
    }
    return hashlib.sha256(json.dumps(state, sort_keys=True).encode()).hexdigest()


def record_build(con: duckdb.DuckDBPyConnection, run_date: str, inputs: str) -> None:
    con.execute(sql("create_features_builds.sql"))
    params = {"run_date": run_date}
    with transaction(con):
        con.execute(sql("delete_features_build.sql"), params)
        con.execute(sql("insert_features_build.sql"), {**params, "inputs": inputs})


def accounts_known(con: duckdb.DuckDBPyConnection, run_date: str) -> int | None:
    """Accounts known as of ``run_date``: the rows ``account_features`` holds for it
    (0 before any accounts delivery, whatever the events say). None where the staging
    layer is not in DuckDB (the spark engine builds it in Spark): not known here."""
    if not has_tables(con, "stg_activity__accounts"):
        return None
    return int(con.execute(sql("accounts_known.sql"), {"run_date": run_date}).fetchone()[0])


def built_without_accounts(con: duckdb.DuckDBPyConnection) -> set:
    """Run dates built while no account was known as of them: their snapshot exists,
    empty (``account_features`` has no row to show for it)."""
    if not has_tables(con, "features_builds", "account_features"):
        return set()
    return {
        day
        for (day,) in con.execute(sql("builds_without_rows.sql")).fetchall()
        if accounts_known(con, day.isoformat()) == 0
    }


def is_current(con: duckdb.DuckDBPyConnection, run_date: str, inputs: str | None) -> bool:
    """True when ``run_date``'s features were built from exactly ``inputs`` (and its rows
    are still in ``account_features``: some, unless no account is known as of the date)."""
    if inputs is None:
        return False
    found = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'main' and table_name in ('features_builds', 'account_features')"
    ).fetchone()[0]
    if found < 2 or mart_drift(con) is not None:
        return False  # never built, or built by another version (set aside by the next build)
    row = con.execute(sql("features_build_of_date.sql"), {"run_date": run_date}).fetchone()
    if row is None or row[0] != inputs:
        return False
    return row[1] > 0 or accounts_known(con, run_date) == 0


def incremental_layer(manifest: dict) -> list[str]:
    """The models of the incremental layer (by event day, with a loaded_through
    watermark): incremental models a full refresh may rebuild (not the protected mart)."""
    return sorted(
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model"
        and node["config"].get("materialized") == "incremental"
        and node["config"].get("full_refresh") is not False
    )


def declared_columns(manifest: dict) -> list[str]:
    """``table.column`` for every column the incremental layer's YAML declares."""
    layer = set(incremental_layer(manifest))
    return sorted(
        f"{node['name']}.{column}"
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["name"] in layer
        for column in node.get("columns", {})
    )


def tables_to_rebuild(con: duckdb.DuckDBPyConnection, manifest: dict) -> list[str]:
    """Incremental-layer tables a previous version built without the layer's watermark
    (``loaded_through``), or without a column their YAML now declares (a measure added,
    e.g. to int_texts_measured, whose rows are appended once per text and never
    revisited): the next build must be a full refresh (``account_features``,
    ``full_refresh=false``, keeps its history)."""
    names = incremental_layer(manifest)
    if not names:
        return []
    outdated = {
        row[0]
        for row in con.execute(
            sql("incremental_tables_without_watermark.sql"), {"names": names}
        ).fetchall()
    }
    outdated |= {
        row[0]
        for row in con.execute(
            sql("incremental_tables_missing_columns.sql"),
            {"names": names, "declared": declared_columns(manifest)},
        ).fetchall()
    }
    return sorted(outdated)


@dataclass(frozen=True)
class MartDrift:
    """How the warehouse's ``account_features`` differs from what this version builds."""

    missing: tuple[str, ...]  # declared (ml.features.MART_COLUMNS) but not in the table
    extra: tuple[str, ...]  # in the table but no longer declared

    def describe(self) -> str:
        parts = []
        if self.missing:
            parts.append(f"lacks {', '.join(self.missing)}")
        if self.extra:
            parts.append(f"holds {', '.join(self.extra)}, no longer built")
        return "account_features was built by another version: it " + "; ".join(parts)


def mart_drift(con: duckdb.DuckDBPyConnection) -> MartDrift | None:
    """The difference between the mart's columns and ``MART_COLUMNS``; None when the
    mart is absent or has exactly those columns (in any order: dbt inserts by name).

    dbt stops an incremental model whose columns changed (``on_schema_change='fail'``),
    and the mart is ``full_refresh=false`` (its history is training's): without this, the
    first run after a version that adds, drops or renames a feature fails. Its snapshots
    would be wrong anyway: a date built before a feature existed has no value for it."""
    held = [row[0] for row in con.execute(sql("account_features_columns.sql")).fetchall()]
    if not held:
        return None
    missing = tuple(c for c in MART_COLUMNS if c not in held)
    extra = tuple(c for c in held if c not in MART_COLUMNS)
    return MartDrift(missing, extra) if missing or extra else None


def supersede_mart(con: duckdb.DuckDBPyConnection) -> None:
    """Set a drifted mart aside as ``account_features_superseded`` and forget its builds:
    the next build creates the mart with this version's columns, and the run policy plans
    again the snapshots training needs (``model.snapshots.snapshots_to_build`` counts no
    snapshot of a drifted mart), each built point in time by this version."""
    con.execute(sql("create_features_builds.sql"))
    with transaction(con):
        con.execute(sql("supersede_account_features.sql"))
