"""Loading deliveries into the raw layer: typing, quarantine, idempotence, CSV = Parquet."""

from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from realpeople.defs.ingest.landing import survey_landing
from realpeople.defs.ingest.loader import (
    discover_delivery_dates,
    load_delivery,
)

DAY = date(2026, 11, 1)
EVENT_COLUMNS = [
    "event_id",
    "account_id",
    "event_ts",
    "event_type",
    "client",
    "device_id",
    "ip_country",
    "target_account_id",
    "target_event_id",
    "text",
    "image_hash",
    "location_tag",
    "ai_label",
    "ai_metadata",
    "commercial",
]


def events_table(rows: list[dict]) -> pa.Table:
    schema = pa.schema(
        [(c, pa.string()) for c in EVENT_COLUMNS[:2]]
        + [("event_ts", pa.timestamp("us", tz="UTC"))]
        + [(c, pa.string()) for c in EVENT_COLUMNS[3:12]]
        + [(c, pa.bool_()) for c in EVENT_COLUMNS[12:]]
    )
    full = [{c: r.get(c) for c in EVENT_COLUMNS} for r in rows]
    return pa.Table.from_pylist(full, schema=schema)


def ts(hour: int) -> datetime:
    return datetime(2026, 11, 1, hour, tzinfo=UTC)


GOOD = [
    {
        "event_id": "e1",
        "account_id": "a1",
        "event_ts": ts(1),
        "event_type": "post",
        "client": "app_ios",
        "text": '今天的咖啡☕️很好喝, "真的"\n第二行',
        "ai_label": True,
    },
    {
        "event_id": "e2",
        "account_id": "a1",
        "event_ts": ts(2),
        "event_type": "dm",
        "client": "api",
        "target_account_id": "a2",
        "text": "hello, world",
    },
    {
        "event_id": "e3",
        "account_id": "a2",
        "event_ts": ts(3),
        "event_type": "like",
        "client": "web",
    },
]


@pytest.fixture
def con(tmp_path):
    connection = duckdb.connect(str(tmp_path / "w.duckdb"))
    yield connection
    connection.close()


def write(landing, table, name, tbl: pa.Table, fmt="parquet", day=DAY):
    folder = landing / table / f"dt={day.isoformat()}"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    if fmt == "parquet":
        pq.write_table(tbl, path)
    else:
        tbl.to_pandas().to_csv(path, index=False, date_format="%Y-%m-%dT%H:%M:%SZ")
    return path


def loaded_rows(con):
    return con.execute(
        "select * exclude (_source_file, _loaded_at) from raw.events order by event_id"
    ).fetchall()


def test_csv_and_parquet_of_the_same_rows_load_the_same(tmp_path, con):
    write(tmp_path / "p", "events", "part-0.parquet", events_table(GOOD))
    write(tmp_path / "c", "events", "part-0.csv", events_table(GOOD), fmt="csv")
    load_delivery(con, tmp_path / "p", "events", DAY)
    from_parquet = loaded_rows(con)
    load_delivery(con, tmp_path / "c", "events", DAY)  # replaces the same delivery
    from_csv = loaded_rows(con)
    assert len(from_parquet) == 3
    assert from_csv == from_parquet


def test_bad_rows_are_quarantined_with_reasons_and_counts_reconcile(tmp_path, con):
    bad = GOOD + [
        {
            "event_id": "",
            "account_id": "a1",
            "event_ts": ts(4),
            "event_type": "post",
            "client": "web",
        },
        {
            "event_id": "e5",
            "account_id": "a1",
            "event_ts": ts(5),
            "event_type": "teleport",
            "client": "web",
        },
        {
            "event_id": "e6",
            "account_id": "a1",
            "event_ts": ts(6),
            "event_type": "post",
            "client": "fax",
        },
        {
            "event_id": "e7",
            "account_id": "a1",
            "event_ts": datetime(2031, 1, 1, tzinfo=UTC),
            "event_type": "post",
            "client": "web",
        },
    ]
    write(tmp_path, "events", "part-0.parquet", events_table(bad))
    report = load_delivery(con, tmp_path, "events", DAY)
    assert (report.rows_landed, report.rows_loaded, report.rows_quarantined) == (7, 3, 4)
    reasons = dict(con.execute("select _file_row, reason from raw.quarantine").fetchall())
    assert reasons[3] == "event_id: null or empty"
    assert reasons[4] == "event_type: unknown value: teleport"
    assert reasons[5] == "client: unknown value: fax"
    assert reasons[6].startswith("event_ts: after the delivery date")
    # The quarantined row is kept as delivered, so it can be replayed.
    record = con.execute("select record from raw.quarantine where _file_row = 4").fetchone()[0]
    assert '"event_type":"teleport"' in record


def test_reloading_a_delivery_replaces_it(tmp_path, con):
    write(tmp_path, "events", "part-0.parquet", events_table(GOOD))
    for _ in range(3):
        load_delivery(con, tmp_path, "events", DAY)
    assert con.execute("select count(*) from raw.events").fetchone()[0] == 3
    assert con.execute("select count(*) from raw.deliveries").fetchone()[0] == 1


def test_a_file_missing_a_column_is_rejected_naming_file_and_column(tmp_path, con):
    tbl = events_table(GOOD).drop_columns(["client"])
    path = write(tmp_path, "events", "it's a; file.parquet", tbl)
    write(tmp_path, "events", "part-1.parquet", events_table(GOOD[:1]))
    report = load_delivery(con, tmp_path, "events", DAY)
    [rejected] = report.rejected_files
    assert rejected.message == f"{path}: missing required column 'client'"
    # Nothing lost: the rejected file's rows are quarantined, the other file loads.
    assert (report.rows_landed, report.rows_loaded, report.rows_quarantined) == (4, 1, 3)


def test_a_column_of_an_uncastable_type_rejects_the_file(tmp_path, con):
    tbl = events_table(GOOD).set_column(2, "event_ts", pa.array([True, False, True]))
    write(tmp_path, "events", "part-0.parquet", tbl)
    report = load_delivery(con, tmp_path, "events", DAY)
    assert "column 'event_ts' has type BOOLEAN" in report.rejected_files[0].rejected_reason


def test_unreadable_parquet_is_rejected_alone_and_a_fixed_file_loads(tmp_path, con):
    path = write(tmp_path, "events", "part-0.parquet", events_table(GOOD))
    good = path.read_bytes()
    write(tmp_path, "events", "part-1.parquet", events_table([{**GOOD[0], "event_id": "e9"}]))
    path.write_bytes(good[:100])
    report = load_delivery(con, tmp_path, "events", DAY)
    # The truncated file is in the ledger with its reason; the other file loads.
    assert [f.path.endswith("part-0.parquet") for f in report.rejected_files] == [True]
    assert "unreadable parquet file (100 bytes" in report.rejected_files[0].rejected_reason
    assert report.rows_loaded == 1
    # Re-sent fixed, it loads as usual.
    path.write_bytes(good)
    report = load_delivery(con, tmp_path, "events", DAY)
    assert not report.rejected_files and report.rows_loaded == 4
    assert con.execute("select count(*) from raw.events").fetchone()[0] == 4


def test_extra_columns_are_ignored_and_reported(tmp_path, con):
    tbl = events_table(GOOD).append_column("mood", pa.array(["x", "y", "z"]))
    write(tmp_path, "events", "part-0.parquet", tbl)
    report = load_delivery(con, tmp_path, "events", DAY)
    assert report.files[0].ignored_columns == ["mood"]
    assert report.rows_loaded == 3


def test_timestamps_without_offset_are_utc_and_offsets_are_converted(tmp_path, con):
    folder = tmp_path / "events" / f"dt={DAY}"
    folder.mkdir(parents=True)
    header = ",".join(EVENT_COLUMNS)
    (folder / "a.csv").write_text(
        header + "\n"
        "e1,a1,2026-11-01 10:00:00,login,web,,,,,,,,,,\n"
        "e2,a1,2026-11-01T18:00:00+08:00,login,web,,,,,,,,,,\n",
        encoding="utf-8",
    )
    load_delivery(con, tmp_path, "events", DAY)
    stamps = [
        r[0] for r in con.execute("select event_ts from raw.events order by event_id").fetchall()
    ]
    assert stamps == [datetime(2026, 11, 1, 10), datetime(2026, 11, 1, 10)]


def test_invalid_delivery_folder_is_named_and_the_others_are_found(tmp_path):
    (tmp_path / "events" / "dt=2026-13-45").mkdir(parents=True)
    (tmp_path / "events" / f"dt={DAY}").mkdir(parents=True)
    assert discover_delivery_dates(tmp_path)["events"] == [DAY]
    [refused] = survey_landing(tmp_path).rejected_deliveries
    assert refused.path.endswith("dt=2026-13-45") and "not a valid date" in refused.reason


@pytest.mark.parametrize("table", ["accounts", "events", "reviews", "appeals"])
def test_a_simulated_delivery_loads_the_same_from_csv_and_parquet(tmp_path, table):
    """Real texts (Chinese, emoji, quotes, line breaks) survive the CSV route unchanged."""
    from realpeople import simulator

    world = tmp_path / "world"
    simulator.simulate(
        world,
        tmp_path / "truth.parquet",
        accounts=600,
        days=5,
        seed=3,
        end_date=DAY,
        csv_days=0,
        labels="rich",
    )  # scarce labels: no appeals
    # The fullest delivery of the table (appeals only start once reviews have happened).
    parquet = max((world / table).glob("dt=*/part-0.parquet"), key=lambda p: p.stat().st_size)
    day = parquet.parent.name.removeprefix("dt=")
    as_csv = tmp_path / "csv" / table / f"dt={day}" / "part-0.csv"
    as_csv.parent.mkdir(parents=True)
    simulator.write_delivery_as_csv(parquet, as_csv)
    results = []
    for landing in (world, tmp_path / "csv"):
        with duckdb.connect(str(tmp_path / f"{landing.name}.duckdb")) as con:
            report = load_delivery(con, landing, table, date.fromisoformat(day))
            assert report.rows_quarantined == 0 and report.rows_loaded > 0
            results.append(
                con.execute(
                    f"select * exclude (_source_file, _loaded_at) from raw.{table} order by all"
                ).fetchall()
            )
    assert results[0] == results[1]


def test_ids_an_earlier_delivery_brought_are_counted_among_the_deliveries_that_can_hold_them(
    tmp_path, con
):
    """A re-sent event is counted against the earlier deliveries that can hold the same
    event (late_event_days + 1 back), which keeps a load's cost independent of the
    warehouse's size; a delivery older than that is not searched."""
    day2 = date(2026, 11, 2)
    late = dict(GOOD[0], event_ts=ts(5))
    first = [late, dict(GOOD[0], event_id="old", event_ts=datetime(2026, 10, 30, 9, tzinfo=UTC))]
    write(tmp_path, "events", "part-0.parquet", events_table(first))
    load_delivery(con, tmp_path, "events", DAY)
    second = [late, dict(GOOD[0], event_id="new", event_ts=datetime(2026, 11, 2, 3, tzinfo=UTC))]
    write(tmp_path, "events", "part-0.parquet", events_table(second), day=day2)
    report = load_delivery(con, tmp_path, "events", day2)
    assert report.rows_loaded == 2
    assert (report.ids_delivered_before, report.id_delivered_before_example) == (1, "e1")
    assert any("already delivered on an earlier date" in m for m in report.messages)
    # Re-sending the second delivery replaces it: still one id delivered before.
    assert load_delivery(con, tmp_path, "events", day2).ids_delivered_before == 1
    # Five days later the same id is a contract breach the check no longer looks for
    # (an event that old is quarantined as too late anyway).
    day7 = date(2026, 11, 7)
    write(
        tmp_path,
        "events",
        "part-0.parquet",
        events_table(
            [dict(GOOD[0], event_id="new", event_ts=datetime(2026, 11, 6, 3, tzinfo=UTC))]
        ),
        day=day7,
    )
    assert load_delivery(con, tmp_path, "events", day7).ids_delivered_before == 0


def test_the_values_formats_are_measured_over_the_delivery_naming_file_column_and_example(
    tmp_path, con
):
    """Off-format values load (the contract describes the formats of these nullable
    columns without making them binding), and the delivery's finding names the column,
    how many of its values are off, and the first one with its file and row. Within the
    tolerance, nothing is reported; past it, the sentence says what was expected."""
    from realpeople.contract import COLUMN_FORMATS, VALUE_FORMATS
    from realpeople.defs.ingest.formats import formats_verdict, measure_formats

    rows = [
        {**GOOD[2], "event_id": f"e{i}", "ip_country": "DE", "image_hash": "ab12"}
        for i in range(200)
    ]
    rows[7]["ip_country"] = "Germany"  # 1 of 200: within the 1 % tolerated
    rows[9]["image_hash"] = "https://cdn.example/1.jpg"
    rows[11]["image_hash"] = "not-hex"
    rows[40]["image_hash"] = "ab12 "  # 3 of 200: past the 1 % tolerated
    rows[12]["event_id"] = "x" * 201
    write(tmp_path, "events", "part-0.parquet", events_table(rows))
    report = load_delivery(con, tmp_path, "events", DAY)
    assert report.rows_loaded == 200  # all loaded: formats are not row-level rules

    rows_loaded, findings = measure_formats(con, "events", DAY)
    by_column = {f.column: f for f in findings}
    assert rows_loaded == 200
    assert {(f.column, f.format) for f in findings} == set(COLUMN_FORMATS["events"].items())
    assert (by_column["ip_country"].present, by_column["ip_country"].off) == (200, 1)
    assert by_column["ip_country"].within_tolerance
    hashes = by_column["image_hash"]
    assert (hashes.off, hashes.example, hashes.example_row) == (3, "https://cdn.example/1.jpg", 9)
    assert hashes.example_file.endswith("events/dt=2026-11-01/part-0.parquet")
    assert by_column["event_id"].off == 1 and by_column["event_id"].example == "x" * 80
    assert by_column["text"].present == 0 and by_column["text"].within_tolerance

    problems = formats_verdict("events", rows_loaded, findings)
    assert len(problems) == 2, problems  # the hashes (1 %) and the 201-character id
    assert problems[0].startswith("event_id: 1 of 200 values (0.5%) not at most 200 characters")
    assert "image_hash: 3 of 200 values (1.5%)" in problems[1]
    assert VALUE_FORMATS["hex"].pattern in problems[1] and "part-0.parquet row 9" in problems[1]


def test_a_delivery_that_loads_no_event_is_reported_and_empty_reviews_are_not(tmp_path, con):
    from realpeople.defs.ingest.formats import formats_verdict, measure_formats

    bad = [{**GOOD[0], "event_type": "retweet"}]
    write(tmp_path, "events", "part-0.parquet", events_table(bad))
    load_delivery(con, tmp_path, "events", DAY)
    rows_loaded, findings = measure_formats(con, "events", DAY)
    assert rows_loaded == 0 and all(f.present == 0 for f in findings)
    (problem,) = formats_verdict("events", rows_loaded, findings)
    assert problem.startswith("0 events rows loaded")
    load_delivery(con, tmp_path, "reviews", DAY)  # no reviews file at all
    assert formats_verdict("reviews", *measure_formats(con, "reviews", DAY)) == []


def test_a_backlog_is_checkpointed_once_when_it_is_held_open(tmp_path):
    """`make run` holds the warehouse open while a backlog loads: each run's connection
    closes without a checkpoint (the write-ahead log stays), and leaving checkpoints it
    once. One delivery holds nothing open (there is nothing to save)."""
    from realpeople.cli import backlog_held_open
    from realpeople.resources import warehouse_resource
    from realpeople.settings import load_settings

    settings = load_settings({"REALPEOPLE_DATA_DIR": str(tmp_path / "data")})
    wal = Path(settings.warehouse_path + ".wal")
    warehouse = warehouse_resource(settings)

    def one_run(i):
        with warehouse.get_connection() as con:
            con.execute("create table if not exists t (i integer)")
            con.execute("insert into t values (?)", [i])

    with backlog_held_open(settings, deliveries=2) as checkpoint:
        one_run(1)
        one_run(2)
        assert wal.exists() and wal.stat().st_size > 0  # committed, not yet checkpointed
    assert not wal.exists() and checkpoint["seconds"] > 0
    with backlog_held_open(settings, deliveries=1) as checkpoint:
        one_run(3)
        assert not wal.exists()  # its own close checkpointed, as without a backlog
    assert checkpoint["seconds"] == 0.0
    with warehouse.get_connection() as con:
        assert con.execute("select list(i order by i) from t").fetchone()[0] == [1, 2, 3]
