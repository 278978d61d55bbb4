"""A run date's features are rebuilt only when something they read changed."""

import duckdb

from realpeople.defs.features.builds import build_inputs, is_current, record_build
from realpeople.defs.ingest.loader import ensure_raw_tables
from realpeople.ml.features import MART_COLUMNS
from realpeople.settings import load_settings

LEDGER_ROW = (
    "insert into raw.deliveries (table_name, _delivery_date, _source_file, file_format, "
    "file_bytes, file_sha256, rows_landed, rows_loaded, rows_quarantined, _loaded_at) "
    "values ('events', $day, $path, 'parquet', 10, 'x', 1, 1, 0, $loaded_at)"
)


def _load(con, day: str, loaded_at: str) -> None:
    con.execute(
        LEDGER_ROW, {"day": day, "path": f"/l/events/dt={day}/p.parquet", "loaded_at": loaded_at}
    )


def _create_mart(con, columns) -> None:
    """An account_features table with these columns (the key typed as the mart's)."""
    types = {"run_date": "date", "account_id": "varchar"}
    con.execute(
        "create table account_features ("
        + ", ".join(f'"{c}" {types.get(c, "double")}' for c in columns)
        + ")"
    )


def test_a_build_is_current_until_a_load_or_a_setting_moves(tmp_path):
    settings = load_settings({"REALPEOPLE_DATA_DIR": str(tmp_path)})
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_raw_tables(con)
    assert build_inputs(con, settings) is not None
    _load(con, "2026-11-01", "2026-11-02 01:00:00")
    _create_mart(con, MART_COLUMNS)
    con.execute("insert into account_features (run_date, account_id) values ('2026-11-01', 'a')")
    inputs = build_inputs(con, settings)
    assert not is_current(con, "2026-11-01", inputs)  # never built
    record_build(con, "2026-11-01", inputs)
    assert is_current(con, "2026-11-01", build_inputs(con, settings))
    assert not is_current(con, "2026-11-02", build_inputs(con, settings))  # another date
    # Another window is another build.
    wider = load_settings(
        {"REALPEOPLE_DATA_DIR": str(tmp_path), "REALPEOPLE_FEATURE_WINDOW_DAYS": "7"}
    )
    assert not is_current(con, "2026-11-01", build_inputs(con, wider))
    # Any load (here an old date re-sent) moves the raw layer's fingerprint.
    _load(con, "2026-10-30", "2026-11-02 02:00:00")
    assert not is_current(con, "2026-11-01", build_inputs(con, settings))
    # A date whose rows are gone is not current, whatever its record says.
    record_build(con, "2026-11-01", build_inputs(con, settings))
    con.execute("delete from account_features")
    assert not is_current(con, "2026-11-01", build_inputs(con, settings))


def test_tables_of_the_incremental_layer_built_before_it_are_rebuilt(tmp_path):
    """A warehouse from before the incremental layer holds its models as plain tables
    (no loaded_through): they are named, so that the build is a full refresh of them."""
    import json
    from pathlib import Path

    from realpeople.defs.features.builds import (
        declared_columns,
        incremental_layer,
        tables_to_rebuild,
    )
    from realpeople.defs.features.project import ensure_manifest

    manifest = json.loads(Path(ensure_manifest()).read_text())
    layer = incremental_layer(manifest)
    assert {"int_texts_measured", "int_texts_fingerprinted", "stg_activity__event_repeats"} <= set(
        layer
    )
    assert "account_features" not in layer  # full_refresh=false: its history is kept
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    declared = declared_columns(manifest)
    fingerprinted = [c.split(".")[1] for c in declared if c.startswith("int_texts_fingerprinted.")]
    assert {"event_id", "loaded_through", "event_day"} <= set(fingerprinted)
    con.execute("create table int_texts_measured (text varchar)")
    con.execute(
        "create table int_texts_fingerprinted ("
        + ", ".join(f"{c} varchar" for c in fingerprinted)
        + ")"
    )
    assert tables_to_rebuild(con, manifest) == ["int_texts_measured"]


def test_incremental_tables_lacking_a_declared_column_are_rebuilt(tmp_path):
    """A measure added to int_texts_measured (appended once per text, never revisited) or
    any incremental table: an existing table without a column its YAML now declares (here
    the fingerprints, as if added since) is named for a full refresh; one with every
    declared column is not."""
    import json
    from pathlib import Path

    from realpeople.defs.features.builds import declared_columns, tables_to_rebuild
    from realpeople.defs.features.project import ensure_manifest

    manifest = json.loads(Path(ensure_manifest()).read_text())
    measured = [
        c.split(".")[1] for c in declared_columns(manifest) if c.startswith("int_texts_measured.")
    ]
    assert {"text", "loaded_through", "normalised_hash", "phrase_set_hash"} <= set(measured)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    before = [c for c in measured if c not in ("normalised_hash", "phrase_set_hash")]
    con.execute(f"create table int_texts_measured ({', '.join(f'{c} varchar' for c in before)})")
    assert tables_to_rebuild(con, manifest) == ["int_texts_measured"]
    con.execute("drop table int_texts_measured")
    con.execute(f"create table int_texts_measured ({', '.join(f'{c} varchar' for c in measured)})")
    assert tables_to_rebuild(con, manifest) == []


def test_a_mart_built_by_another_version_is_set_aside_and_nothing_in_it_is_current(tmp_path):
    """A version that adds, drops or renames a feature meets a warehouse whose mart has
    the old columns: dbt would stop on it (on_schema_change='fail', full_refresh=false),
    and its snapshots hold no value for the new feature. The drift names both sides; no
    date of that mart is current; setting it aside keeps its rows under
    account_features_superseded (replacing an older generation) and forgets its builds."""
    from realpeople.defs.features.builds import mart_drift, supersede_mart

    settings = load_settings({"REALPEOPLE_DATA_DIR": str(tmp_path)})
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_raw_tables(con)
    _load(con, "2026-11-01", "2026-11-02 01:00:00")
    assert mart_drift(con) is None  # no mart yet: a first build
    # The same columns in another order: dbt inserts by name, nothing to do.
    _create_mart(con, [*MART_COLUMNS[:2], *reversed(MART_COLUMNS[2:])])
    assert mart_drift(con) is None
    con.execute("drop table account_features")
    added, retired = MART_COLUMNS[-1], "text_length_cv"
    older = [*(c for c in MART_COLUMNS if c != added), retired]
    _create_mart(con, older)
    con.execute(
        "insert into account_features (run_date, account_id) "
        "values ('2026-10-31', 'a'), ('2026-11-01', 'a')"
    )
    inputs = build_inputs(con, settings)
    record_build(con, "2026-11-01", inputs)
    drift = mart_drift(con)
    assert drift is not None
    assert drift.missing == (added,) and drift.extra == (retired,)
    assert added in drift.describe() and retired in drift.describe()
    assert not is_current(con, "2026-11-01", inputs)  # recorded, but by another version

    con.execute("create table account_features_superseded (run_date date)")  # an older one
    supersede_mart(con)
    tables = {
        r[0] for r in con.execute("select table_name from information_schema.tables").fetchall()
    }
    assert "account_features" not in tables
    kept = [r[0] for r in con.execute("describe account_features_superseded").fetchall()]
    assert kept == older
    assert con.execute("select count(*) from account_features_superseded").fetchone()[0] == 2
    assert con.execute("select count(*) from features_builds").fetchone()[0] == 0
    assert mart_drift(con) is None  # the next build creates the mart afresh


def test_the_snapshot_plan_counts_no_snapshot_of_a_drifted_mart(tmp_path):
    """Training's snapshots are planned again when the mart was built by another version:
    each review day gets a snapshot built by this one."""
    from datetime import date

    from realpeople.defs.model.snapshots import snapshots_to_build

    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ensure_raw_tables(con)
    _load(con, "2026-11-01", "2026-11-02 01:00:00")
    con.execute(
        "insert into raw.reviews values ('r1', 'a', '2026-11-20 10:00:00', 'human', "
        "'threshold', '2026-11-20', 'f', 1, '2026-11-21 00:00:00')"
    )
    _create_mart(con, MART_COLUMNS)
    con.execute("insert into account_features (run_date, account_id) values ('2026-11-19', 'a')")
    plan = snapshots_to_build(con, date(2026, 11, 1), date(2026, 11, 22), 28)
    assert plan == []  # the day before the review is built
    con.execute("alter table account_features drop column " + MART_COLUMNS[-1])
    plan = snapshots_to_build(con, date(2026, 11, 1), date(2026, 11, 22), 28)
    assert plan == [date(2026, 11, 19)]
