"""Bad input, one case at a time: the outcome (continue with quarantine, or fail), the
message (file, column, count, an example) and the reconciliation per table and delivery
(landed = loaded + quarantined, and the tables hold what the ledger says).

Each case loads through ``load_delivery``, the function the Dagster ingest asset runs.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import duckdb
import pyarrow as pa
import pytest

from realpeople.defs.ingest.landing import survey_landing
from realpeople.defs.ingest.loader import (
    discover_delivery_dates,
    load_delivery,
)
from tests.reliability.helpers import (
    DAY,
    ROW,
    account,
    event,
    reconcile,
    write_bytes,
    write_csv,
    write_parquet,
)


@pytest.fixture
def con(tmp_path):
    connection = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    yield connection
    connection.close()


def quarantine(con, table="events"):
    return con.execute(
        "select _file_row, reason, record from raw.quarantine where table_name = ? "
        "order by _file_row",
        [table],
    ).fetchall()


# --------------------------------------------------------------------- whole files


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_missing_required_column_rejects_the_file_and_quarantines_its_rows(tmp_path, con, fmt):
    rows = [event(i) for i in range(3)]
    if fmt == "parquet":
        path = write_parquet(tmp_path, "events", "bad.parquet", rows)
        import pyarrow.parquet as pq

        pq.write_table(pq.read_table(path).drop_columns(["client"]), path)
    else:
        path = write_csv(tmp_path, "events", "bad.csv", rows)
        import pandas as pd

        pd.read_csv(path).drop(columns=["client"]).to_csv(path, index=False)
    write_parquet(tmp_path, "events", "good.parquet", [event(10)])
    report = load_delivery(con, tmp_path, "events", DAY)

    # Outcome: continue; the bad file's rows are quarantined, the good file loads.
    assert reconcile(con, "events") == {"landed": 4, "loaded": 1, "quarantined": 3}
    # Message: file, column, count.
    assert report.messages == [f"{path}: missing required column 'client' (3 row(s) quarantined)"]
    assert {r[1] for r in quarantine(con)} == {"file rejected: missing required column 'client'"}


def test_wrong_type_column_in_parquet_rejects_the_file(tmp_path, con):
    rows = [event(i, event_ts=True) for i in range(2)]
    path = write_parquet(tmp_path, "events", "part-0.parquet", rows, types={"event_ts": pa.bool_()})
    report = load_delivery(con, tmp_path, "events", DAY)
    assert reconcile(con, "events") == {"landed": 2, "loaded": 0, "quarantined": 2}
    [message] = report.messages
    assert message == (
        f"{path}: column 'event_ts' has type BOOLEAN, which cannot be cast to the "
        "contract's timestamp (2 row(s) quarantined)"
    )


def test_wrong_type_value_in_csv_quarantines_the_row(tmp_path, con):
    path = write_csv(
        tmp_path,
        "accounts",
        "part-0.csv",
        [account(1), account(2, follower_count=None), account(3)],
    )
    text = path.read_text().splitlines()
    text[2] = text[2].replace(",,5", ",lots,5")  # follower_count 'lots', following 5
    path.write_text("\n".join(text) + "\n")
    report = load_delivery(con, tmp_path, "accounts", DAY)
    assert reconcile(con, "accounts") == {"landed": 3, "loaded": 2, "quarantined": 1}
    assert report.messages == [
        (
            f"{path}: column 'follower_count': not an integer: 1 row(s) "
            "quarantined (first at row 1: follower_count: not an integer: lots)"
        )
    ]


def test_truncated_parquet_is_rejected_alone_and_the_other_file_loads(tmp_path, con):
    path = write_parquet(tmp_path, "events", "part-0.parquet", [event(i) for i in range(5)])
    write_parquet(tmp_path, "events", "part-1.parquet", [event(9)])
    path.write_bytes(path.read_bytes()[:200])
    report = load_delivery(con, tmp_path, "events", DAY)
    [message] = report.messages
    assert message.startswith(
        f"{path}: unreadable parquet file (200 bytes; truncated or not Parquet)"
    )
    assert "\n" not in message  # one line: it is what the CLI prints
    assert reconcile(con, "events") == {"landed": 1, "loaded": 1, "quarantined": 0}


def test_csv_with_a_broken_quote_quarantines_what_cannot_be_split(tmp_path, con):
    path = write_csv(tmp_path, "events", "part-0.csv", [event(i) for i in range(4)])
    lines = path.read_text().splitlines()
    lines[2] = lines[2].replace("post number 1", '"post number 1')  # opened, never closed
    path.write_text("\n".join(lines) + "\n")
    report = load_delivery(con, tmp_path, "events", DAY)
    # The row before the broken quote loads; what the quote swallowed cannot be split
    # into fields and is quarantined (or the file is rejected naming the line).
    counts = reconcile(con, "events")
    assert counts["loaded"] == 1 or report.rejected_files
    assert "line 3" in " ".join(report.messages + [r[1] for r in quarantine(con)])


def test_csv_with_a_non_utf8_byte_is_rejected_naming_line_and_byte(tmp_path, con):
    path = write_csv(tmp_path, "events", "part-0.csv", [event(i) for i in range(4)])
    path.write_bytes(path.read_bytes().replace(b"post number 2", b"post n\xe9mber 2"))
    write_csv(tmp_path, "events", "part-1.csv", [event(9)])
    report = load_delivery(con, tmp_path, "events", DAY)
    [rejected] = report.rejected_files
    assert rejected.path == str(path)
    assert rejected.message.startswith(
        f"{path}: unreadable csv file: line 4: byte 0xe9 (at offset "
    )
    assert reconcile(con, "events") == {"landed": 1, "loaded": 1, "quarantined": 0}


def test_csv_with_a_byte_order_mark_loads(tmp_path, con):
    path = write_csv(tmp_path, "events", "part-0.csv", [event(i) for i in range(3)])
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    report = load_delivery(con, tmp_path, "events", DAY)
    assert report.messages == []
    assert reconcile(con, "events") == {"landed": 3, "loaded": 3, "quarantined": 0}
    assert con.execute("select min(event_id) from raw.events").fetchone()[0] == "e0"


def test_empty_files(tmp_path, con):
    """A 0-byte file has no header: rejected (nothing to quarantine). A header-only CSV
    and a 0-row Parquet file are valid, empty deliveries."""
    empty = write_bytes(tmp_path, "events", "a-empty.csv", b"")
    write_csv(tmp_path, "events", "b-header-only.csv", [])
    write_parquet(tmp_path, "events", "c-no-rows.parquet", [])
    report = load_delivery(con, tmp_path, "events", DAY)
    assert report.messages == [
        f"{empty}: the file is empty (not even a header row) (0 row(s) quarantined)"
    ]
    assert [f.rows_landed for f in report.files] == [None, 0, 0]
    assert reconcile(con, "events") == {"landed": 0, "loaded": 0, "quarantined": 0}


# --------------------------------------------------------------------- rows


@pytest.mark.parametrize(
    "table,key",
    [
        ("accounts", "account_id"),
        ("events", "event_id"),
        ("reviews", "review_id"),
        ("appeals", "appeal_id"),
    ],
)
def test_null_or_empty_ids_are_quarantined(tmp_path, con, table, key):
    make = ROW[table]
    path = write_parquet(
        tmp_path,
        table,
        "part-0.parquet",
        [make(1), make(2, **{key: None}), make(3, **{key: "  "}), make(4)],
    )
    report = load_delivery(con, tmp_path, table, DAY)
    assert reconcile(con, table) == {"landed": 4, "loaded": 2, "quarantined": 2}
    assert report.messages == [
        (
            f"{path}: column '{key}': null or empty: 2 row(s) quarantined "
            f"(first at row 1: {key}: null or empty)"
        )
    ]


def test_duplicate_ids_within_and_across_deliveries_are_kept_in_raw_and_reported(tmp_path, con):
    day2 = date(2026, 11, 2)
    write_parquet(tmp_path, "events", "part-0.parquet", [event(1), event(2), event(1)])
    write_parquet(tmp_path, "events", "part-1.parquet", [event(2)])
    first = load_delivery(con, tmp_path, "events", DAY)
    write_parquet(
        tmp_path,
        "events",
        "part-0.parquet",
        [
            event(1, event_ts=datetime(2026, 11, 1, 5, tzinfo=UTC)),
            event(3, event_ts=datetime(2026, 11, 2, 1, tzinfo=UTC)),
        ],
        day=day2,
    )
    second = load_delivery(con, tmp_path, "events", day2)
    # Outcome: everything loaded (a repeat is the same event; staging keeps the first arrival).
    assert reconcile(con, "events") == {"landed": 4, "loaded": 4, "quarantined": 0}
    assert reconcile(con, "events", day2) == {"landed": 2, "loaded": 2, "quarantined": 0}
    assert first.messages == [
        (
            "events dt=2026-11-01: 2 event_id(s) repeated within the delivery "
            "(e.g. 'e1'); staging keeps one"
        )
    ]
    assert second.messages == [
        (
            "events dt=2026-11-02: 1 event_id(s) already delivered on an earlier "
            "date (e.g. 'e1'); staging keeps one"
        )
    ]


@pytest.mark.parametrize(
    "column,value,reason",
    [
        ("event_type", "teleport", "event_type: unknown value: teleport"),
        ("client", "fax", "client: unknown value: fax"),
        (
            "event_ts",
            datetime(2031, 1, 1, tzinfo=UTC),
            "event_ts: after the delivery date: 2031-01-01 00:00:00",
        ),
        (
            "event_ts",
            datetime(1999, 12, 31, tzinfo=UTC),
            "event_ts: before the platform existed: 1999-12-31 00:00:00",
        ),
    ],
)
def test_unknown_values_and_implausible_timestamps_are_quarantined(
    tmp_path, con, column, value, reason
):
    path = write_parquet(
        tmp_path,
        "events",
        "part-0.parquet",
        [event(0), event(1, **{column: value}), event(2, **{column: value}), event(3)],
    )
    report = load_delivery(con, tmp_path, "events", DAY)
    assert reconcile(con, "events") == {"landed": 4, "loaded": 2, "quarantined": 2}
    [problem] = report.files[0].problems
    assert (problem.column, problem.rows, problem.example_row, problem.example) == (
        column,
        2,
        1,
        reason,
    )
    assert report.messages[0].startswith(f"{path}: column '{column}': ")
    # The row is kept as delivered, to replay once fixed.
    assert [r[:2] for r in quarantine(con)] == [(1, reason), (2, reason)]


def test_negative_counts_are_quarantined(tmp_path, con):
    path = write_parquet(
        tmp_path,
        "accounts",
        "part-0.parquet",
        [account(1), account(2, follower_count=-3), account(3, following_count=-1)],
    )
    report = load_delivery(con, tmp_path, "accounts", DAY)
    assert reconcile(con, "accounts") == {"landed": 3, "loaded": 1, "quarantined": 2}
    assert sorted(report.messages) == [
        (
            f"{path}: column 'follower_count': negative: 1 row(s) quarantined (first at row 1: "
            "follower_count: negative: -3)"
        ),
        (
            f"{path}: column 'following_count': negative: 1 row(s) quarantined (first at row 2: "
            "following_count: negative: -1)"
        ),
    ]


def test_events_of_an_account_never_seen_are_loaded_and_counted(tmp_path, con):
    from realpeople.defs.quality.checks import sql as quality_sql

    write_parquet(tmp_path, "accounts", "part-0.parquet", [account(1)])
    path = write_parquet(
        tmp_path,
        "events",
        "part-0.parquet",
        [event(1), event(2, account_id="ghost"), event(3, account_id="ghost")],
    )
    load_delivery(con, tmp_path, "accounts", DAY)
    load_delivery(con, tmp_path, "events", DAY)
    assert reconcile(con, "events") == {"landed": 3, "loaded": 3, "quarantined": 0}

    # What the `events_accounts_known` warning check reports for the run date: the events
    # of its feature window (an event older than the window cannot reach the features).
    def unknown(run_date, window_days):
        return con.execute(
            quality_sql("events_of_unknown_accounts.sql"),
            {"run_date": run_date, "window_days": window_days},
        ).fetchone()

    assert unknown(DAY, 28) == (2, 1, "ghost", f"{path} row 1")
    assert unknown(DAY + timedelta(days=27), 28) == (2, 1, "ghost", f"{path} row 1")
    assert unknown(DAY + timedelta(days=28), 28)[:2] == (0, 0)  # out of the window
    assert unknown(DAY - timedelta(days=1), 28)[:2] == (0, 0)  # not delivered yet


# --------------------------------------------------------------------- hard text


HARD_TEXTS = [
    "x" * (1 << 20),  # 1 MB
    "tab\there, bell\x07, escape\x1b[31m, NUL-free\x01\x02 and a CR\r\nLF",
    "emoji 👩‍👩‍👧‍👦🏳️‍🌈 ☕️ with a flag 🇩🇪 and skin tone 👍🏽",
    'mixed: English, 中文, العربية, עברית, русский, हिन्दी, 日本語 — "quoted", commas, ; semicolons',
]


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_long_text_control_characters_emoji_and_mixed_scripts_survive_unchanged(tmp_path, con, fmt):
    rows = [event(i, text=t) for i, t in enumerate(HARD_TEXTS)]
    writer = write_parquet if fmt == "parquet" else write_csv
    writer(tmp_path, "events", f"part-0.{fmt}", rows)
    report = load_delivery(con, tmp_path, "events", DAY)
    assert report.messages == []
    assert reconcile(con, "events") == {"landed": 4, "loaded": 4, "quarantined": 0}
    loaded = [r[0] for r in con.execute("select text from raw.events order by event_id").fetchall()]
    assert loaded == HARD_TEXTS


def test_file_and_path_names_with_spaces_quotes_and_semicolons(tmp_path, con):
    landing = tmp_path / 'it\'s a "landing"; drop table raw.events; --'
    path = write_parquet(
        landing, "events", "part 0 'x'; select 1; \"y\".parquet", [event(1), event(2)]
    )
    bad = write_parquet(landing, "events", "o'brien; --.parquet", [event(3, client="fax")])
    report = load_delivery(con, landing, "events", DAY)
    assert reconcile(con, "events") == {"landed": 3, "loaded": 2, "quarantined": 1}
    assert report.messages == [
        (
            f"{bad}: column 'client': unknown value: 1 row(s) quarantined "
            "(first at row 0: client: unknown value: fax)"
        )
    ]
    assert {r[0] for r in con.execute("select _source_file from raw.deliveries").fetchall()} == {
        str(path),
        str(bad),
    }
    # Reloading the same delivery through those names replaces it.
    load_delivery(con, landing, "events", DAY)
    assert reconcile(con, "events")["landed"] == 3


# --------------------------------------------------------------------- delivery folders


def test_a_delivery_folder_with_an_invalid_date_is_named(tmp_path):
    (tmp_path / "events" / "dt=2026-02-30").mkdir(parents=True)
    assert discover_delivery_dates(tmp_path)["events"] == []
    [refused] = survey_landing(tmp_path).rejected_deliveries
    assert refused.path == str(tmp_path / "events" / "dt=2026-02-30")
    assert "'2026-02-30' is not a valid date" in refused.reason


@pytest.mark.slow
def test_an_invalid_delivery_folder_is_reported_by_the_run_and_the_good_one_loads(
    tmp_path, monkeypatch, capsys
):
    from realpeople.cli import main

    landing, data = tmp_path / "landing", tmp_path / "data"
    write_parquet(landing, "events", "part-0.parquet", [event(1)])
    (landing / "events" / "dt=2026-11-31").mkdir(parents=True)
    monkeypatch.setenv("REALPEOPLE_LANDING_DIR", str(landing))
    monkeypatch.setenv("REALPEOPLE_DATA_DIR", str(data))
    monkeypatch.setenv("DAGSTER_HOME", str(data / "dagster_home"))
    # One event and no reviews cannot publish a model's decisions; whatever stops the run,
    # the invalid folder is named, and the good delivery was loaded.
    assert main(["run"]) == 1
    err = capsys.readouterr().err
    assert "dt=2026-11-31" in err and "not a valid date" in err
    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("select count(*) from raw.events").fetchone()[0] == 1
        assert con.execute("select entry_kind from raw.landing_entries").fetchall() == [
            ("delivery",)
        ]
