"""Ingestion that no export can fool (issue 14): one test group per principle, each on a
tiny landing zone in tmp_path, loaded with ``load_delivery`` into a real DuckDB file.

- a landed file is read as exactly that file (names are only names; links, sockets);
- the loader's columns are its own (contract 1.1 reserves `_` names);
- the smallest unit fails (value -> row, unparseable file -> that file, limits);
- a bad delivery never stops the good ones; everything in the zone is accounted for;
- types as the contract means them; the run date is the newest delivery with rows;
- published CSVs are safe to open in a spreadsheet.
"""

from __future__ import annotations

import gzip
import os
import shutil
import socket
import threading
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from realpeople import contract
from realpeople.contract import LIMITS, Limits
from realpeople.defs.ingest import reader
from realpeople.defs.ingest.landing import survey_landing
from realpeople.defs.ingest.loader import (
    discover_delivery_dates,
    ledger_rejections,
    load_delivery,
    newest_delivery_with_rows,
    record_landing_survey,
)
from realpeople.defs.ingest.reader import read_landed_file
from tests.reliability.helpers import (
    DAY,
    appeal,
    arrow_table,
    event,
    folder,
    reconcile,
    write_bytes,
    write_csv,
    write_parquet,
)

ROOT = Path(__file__).resolve().parents[2]
from tests.conftest import FOREIGN_WORLD


@pytest.fixture
def con(tmp_path):
    connection = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    yield connection
    connection.close()


def loaded_ids(con, table="events", key="event_id") -> list[str]:
    return sorted(r[0] for r in con.execute(f"select {key} from raw.{table}").fetchall())


def quarantined(con, table="events") -> list[tuple[int, str]]:
    return con.execute(
        "select _file_row, reason from raw.quarantine where table_name = ? "
        "order by _source_file, _file_row",
        [table],
    ).fetchall()


def entries(con) -> dict[str, tuple[str, str]]:
    return {
        Path(p).name: (k, r)
        for p, k, r in con.execute(
            "select path, entry_kind, reason from raw.landing_entries"
        ).fetchall()
    }


# ------------------------------------------------------- a landed file is exactly that file


@pytest.mark.parametrize(
    "name",
    [
        "*.parquet",
        "?art.parquet",
        "[pq]art.parquet",
        'it\'s "q".parquet',
        "a b ;c.parquet",
        "données-日本.parquet",
        "**",
        "*.csv",
        "[a-z]*.csv",
    ],
)
def test_a_file_name_is_only_a_name(tmp_path, con, name):
    """A file named like a pattern reads itself, never its neighbours (DuckDB's readers
    would expand it: `*.parquet` read the whole folder)."""
    write_parquet(tmp_path, "events", "part.parquet", [event(1)])
    write_csv(tmp_path, "events", "zart.csv", [event(2)])
    write_parquet(tmp_path, "events", "qart.parquet", [event(3)])
    path = folder(tmp_path, "events") / name
    if name.endswith(".csv"):
        write_csv(tmp_path, "events", name, [event(9)])
    else:
        write_parquet(tmp_path, "events", name if name != "**" else "x.parquet", [event(9)])
        if name == "**":  # a name with no readable suffix: recorded, not read
            (folder(tmp_path, "events") / "x.parquet").rename(path)
    report = load_delivery(con, tmp_path, "events", DAY)
    expected = ["e1", "e2", "e3"] + ([] if name == "**" else ["e9"])
    assert loaded_ids(con) == expected
    assert report.repeated_ids == 0
    reconcile(con, "events")
    ledger = {r[0] for r in con.execute("select _source_file from raw.deliveries").fetchall()}
    assert (str(path) in ledger) == (name != "**")


def test_a_link_leaving_the_landing_zone_is_refused_by_name(tmp_path, con):
    landing, outside = tmp_path / "landing", tmp_path / "secrets"
    outside.mkdir()
    (outside / "passwd.csv").write_text("event_id,account_id\nroot,x\n")
    write_parquet(landing, "events", "part-0.parquet", [event(1)])
    link = folder(landing, "events") / "part-1.csv"
    link.symlink_to(outside / "passwd.csv")
    dangling = folder(landing, "events") / "part-2.parquet"
    dangling.symlink_to(tmp_path / "nowhere.parquet")
    # A link that stays inside the zone is the zone's own layout: read.
    inner = folder(landing, "events") / "part-3.parquet"
    write_parquet(landing, "events", "keep.parquet", [event(3)], day=date(2026, 10, 31))
    inner.symlink_to(folder(landing, "events", date(2026, 10, 31)) / "keep.parquet")
    report = load_delivery(con, landing, "events", DAY)
    assert loaded_ids(con) == ["e1", "e3"]
    assert con.execute("select count(*) from raw.quarantine").fetchone()[0] == 0  # no line of it
    refused = entries(con)
    assert (
        refused["part-1.csv"][0] == "link"
        and "leads outside the landing zone" in refused["part-1.csv"][1]
    )
    assert refused["part-2.parquet"][1] == "a symbolic link that leads nowhere"
    assert any(m.startswith(f"{link}: a symbolic link that leads outside") for m in report.messages)


def test_a_delivery_folder_linked_outside_the_zone_is_refused(tmp_path, con):
    landing, outside = tmp_path / "landing", tmp_path / "elsewhere"
    write_parquet(outside, "events", "part-0.parquet", [event(1)])
    (landing / "events").mkdir(parents=True)
    (landing / "events" / f"dt={DAY}").symlink_to(outside / "events" / f"dt={DAY}")
    survey = survey_landing(landing)
    assert survey.deliveries["events"] == []
    [entry] = survey.refused
    assert entry.kind == "link" and "outside the landing zone" in entry.reason


def test_sockets_and_fifos_are_refused_without_being_opened(tmp_path, con):
    write_parquet(tmp_path, "events", "part-0.parquet", [event(1)])
    os.mkfifo(folder(tmp_path, "events") / "part-1.csv")  # reading it would block the run
    server = socket.socket(socket.AF_UNIX)
    # AF_UNIX paths are short: bind from inside the folder.
    cwd = os.getcwd()
    os.chdir(folder(tmp_path, "events"))
    try:
        server.bind("part-2.parquet")
    finally:
        os.chdir(cwd)
    try:
        load_delivery(con, tmp_path, "events", DAY)
    finally:
        server.close()
    assert loaded_ids(con) == ["e1"]
    refused = entries(con)
    assert refused["part-1.csv"] == ("special", "a FIFO, not a regular file")
    assert refused["part-2.parquet"] == ("special", "a socket, not a regular file")


# ------------------------------------------------------------ the loader's columns are its own


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_input_columns_named_like_the_loaders_are_ignored_and_reported(tmp_path, con, fmt):
    rows = [event(0), event(1, client="fax"), event(2)]
    table = arrow_table("events", rows)
    # A forged _file_row (all 7, and an empty one in the CSV), and another reserved name.
    table = table.append_column("_file_row", pa.array(["7", "7", None]))
    table = table.append_column("_delivery_date", pa.array(["1999-01-01"] * 3))
    path = folder(tmp_path, "events") / f"part-0.{fmt}"
    if fmt == "parquet":
        pq.write_table(table, path)
    else:
        table.to_pandas().to_csv(path, index=False, date_format="%Y-%m-%dT%H:%M:%SZ")
    report = load_delivery(con, tmp_path, "events", DAY)
    # The bad row is quarantined once, under its own row number; counts reconcile.
    assert quarantined(con) == [(1, "client: unknown value: fax")]
    assert reconcile(con, "events") == {"landed": 3, "loaded": 2, "quarantined": 1}
    assert sorted(r[0] for r in con.execute("select _file_row from raw.events").fetchall()) == [
        0,
        2,
    ]
    assert {r[0] for r in con.execute("select _delivery_date from raw.events").fetchall()} == {DAY}
    assert report.files[0].ignored_columns == ["_file_row (reserved)", "_delivery_date (reserved)"]
    assert (
        con.execute("select ignored_columns from raw.deliveries").fetchone()[0]
        == "_file_row (reserved), _delivery_date (reserved)"
    )


def test_a_resent_event_with_a_forged_row_number_is_kept(tmp_path, con):
    write_parquet(tmp_path, "events", "part-0.parquet", [event(1)])
    table = arrow_table("events", [event(1)]).append_column("_file_row", pa.array([0]))
    pq.write_table(table, folder(tmp_path, "events") / "part-1.parquet")
    load_delivery(con, tmp_path, "events", DAY)
    assert loaded_ids(con) == ["e1", "e1"]  # both arrivals in raw; staging keeps one


# -------------------------------------------------------------------- the smallest unit fails


def test_invalid_utf8_in_a_parquet_string_quarantines_its_row(tmp_path, con):
    texts = pa.array([b"fine", b"caf\xe9", b"also fine"], pa.binary())
    broken = pa.Array.from_buffers(pa.string(), 3, texts.buffers())  # a writer that skipped checks
    table = arrow_table("events", [event(i) for i in range(3)]).set_column(9, "text", broken)
    pq.write_table(table, folder(tmp_path, "events") / "part-0.parquet")
    write_parquet(tmp_path, "events", "part-1.parquet", [event(5)])
    load_delivery(con, tmp_path, "events", DAY)
    assert quarantined(con) == [(1, "text: not valid UTF-8")]
    assert loaded_ids(con) == ["e0", "e2", "e5"]
    reconcile(con, "events")


def test_a_value_over_the_field_limit_quarantines_its_row(tmp_path, con):
    long_post = "x" * (LIMITS.field_bytes + 1)
    write_csv(tmp_path, "events", "part-0.csv", [event(0), event(1, text=long_post), event(2)])
    load_delivery(con, tmp_path, "events", DAY)
    assert quarantined(con) == [
        (1, f"text: longer than the field limit of {LIMITS.field_bytes:,} bytes")
    ]
    # The quarantine keeps the row, not the whole value.
    assert len(con.execute("select record from raw.quarantine").fetchone()[0]) < 2_000
    reconcile(con, "events")


def test_a_long_csv_line_within_the_limits_loads(tmp_path, con):
    """DuckDB's reader failed the whole file on one line over 2 MB (a long post)."""
    post = "long post " * 300_000  # 3 MB line, 3 MB value: over the field limit, row quarantined
    short = "é" * 400_000  # 800 KB of UTF-8 in one field: loads
    write_csv(
        tmp_path, "events", "part-0.csv", [event(0, text=post), event(1, text=short), event(2)]
    )
    report = load_delivery(con, tmp_path, "events", DAY)
    assert not report.rejected_files
    assert loaded_ids(con) == ["e1", "e2"]
    assert (
        con.execute("select length(text) from raw.events where event_id = 'e1'").fetchone()[0]
        == 400_000
    )


def test_a_csv_line_over_the_line_limit_rejects_that_file_naming_the_line(
    tmp_path, con, monkeypatch
):
    monkeypatch.setattr(contract, "LIMITS", Limits(line_bytes=4096, field_bytes=1024))
    path = write_csv(
        tmp_path, "events", "part-0.csv", [event(0), event(1), event(2, text="y" * 9000)]
    )
    write_csv(tmp_path, "events", "part-1.csv", [event(5)])
    report = load_delivery(con, tmp_path, "events", DAY)
    [rejected] = report.rejected_files
    assert rejected.path == str(path)
    assert (
        "line 4 (byte " in rejected.rejected_reason
        and "line limit of 4,096 bytes" in rejected.rejected_reason
    )
    assert loaded_ids(con) == ["e5"]
    reconcile(con, "events")


def test_whitespace_only_lines_are_quarantined_with_their_line(tmp_path, con):
    path = write_csv(tmp_path, "events", "part-0.csv", [event(i) for i in range(3)])
    lines = path.read_text().splitlines()
    lines.insert(2, "   \t ")
    path.write_text("\n".join(lines) + "\n")
    report = load_delivery(con, tmp_path, "events", DAY)
    assert not report.rejected_files
    assert loaded_ids(con) == ["e0", "e1", "e2"]
    assert quarantined(con) == [(3, "row: wrong number of fields: line 3 holds only whitespace")]
    assert reconcile(con, "events") == {"landed": 4, "loaded": 3, "quarantined": 1}


@pytest.mark.parametrize(
    "damage", ["truncated parquet", "non-utf8 csv", "not parquet at all", "empty csv"]
)
def test_an_unparseable_file_is_rejected_alone_and_loads_once_fixed(tmp_path, con, damage):
    if damage.endswith("parquet"):
        path = write_parquet(tmp_path, "events", "part-0.parquet", [event(i) for i in range(4)])
    else:
        path = write_csv(tmp_path, "events", "part-0.csv", [event(i) for i in range(4)])
    good = path.read_bytes()
    write_parquet(tmp_path, "events", "part-1.parquet", [event(9)])
    path.write_bytes(
        {
            "truncated parquet": good[: len(good) // 2],
            "non-utf8 csv": good.replace(b"post number 2", b"post n\xfcmber 2"),
            "not parquet at all": b"<html>502 Bad Gateway</html>",
            "empty csv": b"",
        }[damage]
    )
    report = load_delivery(con, tmp_path, "events", DAY)
    [rejected] = report.rejected_files
    assert rejected.path == str(path) and rejected.rejected_reason
    if damage == "non-utf8 csv":
        assert "line 4: byte 0xfc" in rejected.rejected_reason
    if damage.endswith("parquet"):
        assert f"({path.stat().st_size:,} bytes" in rejected.rejected_reason
    assert loaded_ids(con) == ["e9"]
    assert con.execute(
        "select rejected_reason is not null from raw.deliveries where _source_file = ?", [str(path)]
    ).fetchone()[0]
    reconcile(con, "events")
    # Re-sent fixed: loads as usual, and the ledger forgets the rejection.
    path.write_bytes(good)
    report = load_delivery(con, tmp_path, "events", DAY)
    assert not report.rejected_files and loaded_ids(con) == ["e0", "e1", "e2", "e3", "e9"]
    assert ledger_rejections(con) == []


def test_a_file_duckdb_cannot_take_is_rejected_alone(tmp_path, con):
    """A Parquet timestamp beyond DuckDB's range fails inside the delivery's transaction;
    the loader retries carefully and rejects only that file."""
    table = arrow_table("events", [event(1)]).set_column(
        2, "event_ts", pa.array([10**13], pa.timestamp("s", tz="UTC"))
    )
    pq.write_table(table, folder(tmp_path, "events") / "part-0.parquet")
    write_parquet(tmp_path, "events", "part-1.parquet", [event(2)])
    report = load_delivery(con, tmp_path, "events", DAY)
    [rejected] = report.rejected_files
    assert (
        rejected.path.endswith("part-0.parquet") and "Conversion Error" in rejected.rejected_reason
    )
    assert loaded_ids(con) == ["e2"]
    reconcile(con, "events")


def test_too_many_columns_rejects_the_file(tmp_path, con):
    header = (
        ",".join(contract.TABLES["events"].column_names)
        + ","
        + ",".join(f"c{i}" for i in range(LIMITS.columns_per_file))
    )
    write_bytes(tmp_path, "events", "wide.csv", (header + "\n").encode())
    write_parquet(tmp_path, "events", "part-1.parquet", [event(1)])
    report = load_delivery(con, tmp_path, "events", DAY)
    [rejected] = report.rejected_files
    assert rejected.rejected_reason == (
        f"{LIMITS.columns_per_file + 15:,} columns, over the limit of "
        f"{LIMITS.columns_per_file:,} columns per file"
    )
    assert loaded_ids(con) == ["e1"]


def test_rows_and_decompressed_bytes_beyond_the_limits_reject_the_file(tmp_path, con, monkeypatch):
    monkeypatch.setattr(contract, "LIMITS", Limits(rows_per_file=5, decompressed_bytes=200_000))
    write_parquet(tmp_path, "events", "a-many-rows.parquet", [event(i) for i in range(6)])
    write_csv(tmp_path, "events", "b-many-rows.csv", [event(i) for i in range(10, 16)])
    # A gzip bomb: 5 MB of one repeated row, a few KB on disk.
    bomb = write_csv(tmp_path, "events", "c-bomb.csv", [event(20)])
    bomb_gz = bomb.with_name("c-bomb.csv.gz")
    line = bomb.read_text().splitlines()[1] + "\n"
    bomb_gz.write_bytes(
        gzip.compress((bomb.read_text().splitlines()[0] + "\n" + line * 50_000).encode())
    )
    bomb.unlink()
    write_parquet(tmp_path, "events", "d-fine.parquet", [event(30)])
    report = load_delivery(con, tmp_path, "events", DAY)
    reasons = {Path(f.path).name: f.rejected_reason for f in report.rejected_files}
    assert reasons == {
        "a-many-rows.parquet": "6 rows, over the limit of 5 rows per file",
        "b-many-rows.csv": "6 rows, over the limit of 5 rows per file",
        "c-bomb.csv.gz": "over the limit of 200,000 bytes after decompression",
    }
    assert loaded_ids(con) == ["e30"]
    reconcile(con, "events")


def test_a_file_streamed_in_many_batches_quarantines_a_bad_row_in_its_last_batch(
    tmp_path, con, monkeypatch
):
    # The loader streams a file into DuckDB batch by batch: make every file span several
    # (Parquet 4 rows a batch; CSV blocks of 256 bytes, the line limit, about 4 lines).
    monkeypatch.setattr(reader, "BATCH_ROWS", 4)
    monkeypatch.setattr(contract, "LIMITS", Limits(line_bytes=256))
    rows = [event(i) for i in range(22)] + [event(22, event_type="teleport")]
    write_parquet(tmp_path, "events", "a.parquet", rows)
    csv_path = write_csv(
        tmp_path, "events", "b.csv", [{**r, "event_id": "c" + r["event_id"]} for r in rows]
    )
    with open(csv_path, "a") as fh:
        fh.write("only,three,fields\n")  # line 25: a line the parser cannot split, last
    for path in (tmp_path / "events" / f"dt={DAY}").iterdir():
        assert sum(1 for _ in read_landed_file(path, "events").batches) > 3, path.name
    report = load_delivery(con, tmp_path, "events", DAY)
    assert not report.rejected_files
    assert [
        (Path(f.path).name, f.rows_landed, f.rows_loaded, f.rows_quarantined) for f in report.files
    ] == [
        ("a.parquet", 23, 22, 1),
        ("b.csv", 24, 22, 2),
    ]
    assert quarantined(con) == [
        (22, "event_type: unknown value: teleport"),
        (22, "event_type: unknown value: teleport"),
        (
            23,
            "row: wrong number of fields: line 25 has 3 where the header has 15: 'only,three,fields'",
        ),
    ]
    # Row numbers run on across batches, and the quarantine keeps the row as it arrived.
    assert con.execute(
        "select _source_file like '%.csv', list(_file_row order by _file_row) = range(22) "
        "from raw.events group by 1 order by 1"
    ).fetchall() == [(False, True), (True, True)]
    records = [
        r[0]
        for r in con.execute("select record from raw.quarantine where _file_row = 22").fetchall()
    ]
    assert all('"event_type":"teleport"' in r and '"_file_row":22' in r for r in records)
    assert reconcile(con, "events") == {"landed": 47, "loaded": 44, "quarantined": 3}


def test_a_file_failing_after_its_first_batches_is_rejected_alone(tmp_path, con, monkeypatch):
    # A byte that is not UTF-8 some blocks into a CSV: the rows before it were already
    # streamed into DuckDB, yet the file is rejected whole, naming the line, and the
    # delivery's other file loads.
    monkeypatch.setattr(contract, "LIMITS", Limits(line_bytes=256))
    path = write_csv(tmp_path, "events", "a.csv", [event(i) for i in range(30)])
    data = path.read_bytes().replace(b"post number 27", b"post number \xe9")
    path.write_bytes(data)
    write_parquet(tmp_path, "events", "b.parquet", [event(40)])
    report = load_delivery(con, tmp_path, "events", DAY)
    (rejected,) = report.rejected_files
    assert Path(rejected.path).name == "a.csv"
    assert rejected.rejected_reason.startswith("unreadable csv file: line 29: byte 0xe9")
    assert loaded_ids(con) == ["e40"]
    assert reconcile(con, "events") == {"landed": 1, "loaded": 1, "quarantined": 0}


def test_a_parquet_page_broken_after_its_first_batches_rejects_the_file_alone(
    tmp_path, con, monkeypatch
):
    # The reading thread meets the broken page (a page header of the 8th row group) after
    # seven batches went to DuckDB: its reason, not DuckDB's, is the file's.
    monkeypatch.setattr(reader, "BATCH_ROWS", 4)
    path = folder(tmp_path, "events") / "a.parquet"
    pq.write_table(arrow_table("events", [event(i) for i in range(40)]), path, row_group_size=4)
    offset = pq.ParquetFile(path).metadata.row_group(7).column(0).data_page_offset
    data = bytearray(path.read_bytes())
    data[offset : offset + 8] = b"\xff" * 8
    path.write_bytes(bytes(data))
    write_parquet(tmp_path, "events", "b.parquet", [event(50)])
    report = load_delivery(con, tmp_path, "events", DAY)
    (rejected,) = report.rejected_files
    assert Path(rejected.path).name == "a.parquet"
    assert rejected.rejected_reason.startswith(
        f"unreadable parquet file ({path.stat().st_size:,} bytes): Couldn't deserialize thrift"
    )
    assert loaded_ids(con) == ["e50"]
    assert reconcile(con, "events") == {"landed": 1, "loaded": 1, "quarantined": 0}


def _reading(path: Path) -> tuple[list[str], bool]:
    """(names of live read-ahead threads, whether this process holds ``path`` open)."""
    threads = [t.name for t in threading.enumerate() if t.name.startswith("realpeople-read-ahead")]
    fds = Path("/proc/self/fd")
    held = []
    for fd in fds.iterdir():
        try:
            held.append(os.readlink(fd))
        except OSError:  # the listing's own descriptor, closed since
            pass
    return threads, str(path) in held


def test_a_load_duckdb_stops_half_way_leaves_no_reading_thread_or_open_file(
    tmp_path, con, monkeypatch
):
    # 50 batches of 4 rows; DuckDB cannot take a timestamp in the second batch, so it stops
    # taking batches while the reading thread has a full queue and 47 batches to go.
    monkeypatch.setattr(reader, "BATCH_ROWS", 4)
    rows = arrow_table("events", [event(i) for i in range(200)])
    stamps = rows.column("event_ts").cast(pa.timestamp("s", tz="UTC")).to_pylist()
    stamps[5] = 10**13
    path = folder(tmp_path, "events") / "a.parquet"
    pq.write_table(
        rows.set_column(2, "event_ts", pa.array(stamps, pa.timestamp("s", tz="UTC"))), path
    )
    write_parquet(tmp_path, "events", "b.parquet", [event(300)])
    # What the test looks for is there while a file is being read, and gone once closed.
    landed = read_landed_file(path, "events")
    assert landed.batches.read_next_batch().num_rows == 4
    assert _reading(path) == ([f"realpeople-read-ahead {path.name}"], True)
    landed.close()
    assert _reading(path) == ([], False)

    report = load_delivery(con, tmp_path, "events", DAY)
    (rejected,) = report.rejected_files
    assert (
        Path(rejected.path).name == "a.parquet" and "Conversion Error" in rejected.rejected_reason
    )
    assert _reading(path) == ([], False)
    assert loaded_ids(con) == ["e300"]
    reconcile(con, "events")


def test_every_limit_is_stated_in_docs_limits():
    text = (ROOT / "docs" / "limits.md").read_text()
    for name, value in vars(LIMITS).items():
        assert f"`{name}`" in text and f"{value:,}" in text, name


# ------------------------------------------- a bad delivery never stops the good ones


def test_bad_delivery_folders_are_recorded_and_every_other_delivery_loads(tmp_path, con):
    landing = tmp_path / "landing"
    write_parquet(landing, "events", "part-0.parquet", [event(1)])
    for name in ("dt=2026-13-45", "_temporary", ".staging", "dt=2026-11", "dt=20261101", "hour=03"):
        (landing / "events" / name).mkdir(parents=True)
        pq.write_table(
            arrow_table("events", [event(9)]), landing / "events" / name / "part-0.parquet"
        )
    (landing / "events" / "dt=2023-12-31").mkdir()
    (landing / "events" / "stray.parquet").write_bytes(b"PAR1")
    (landing / "notes").mkdir()
    survey = survey_landing(landing, first_date=date(2024, 1, 1), last_date=date(2026, 11, 30))
    assert survey.deliveries["events"] == [DAY]
    refused = {Path(e.path).name: (e.kind, e.reason) for e in survey.refused}
    assert refused["dt=2026-13-45"] == (
        "delivery",
        ("folder 'dt=2026-13-45': '2026-13-45' is not a valid date (YYYY-MM-DD)"),
    )
    assert refused["_temporary"][0] == refused[".staging"][0] == refused["hour=03"][0] == "delivery"
    assert refused["dt=20261101"][0] == refused["dt=2026-11"][0] == "delivery"
    assert "REALPEOPLE_FIRST_DELIVERY_DATE=2024-01-01" in refused["dt=2023-12-31"][1]
    assert refused["stray.parquet"] == ("file", "a file outside any dt= delivery folder")
    assert refused["notes"][0] == "folder" and "not a contract table" in refused["notes"][1]
    for table, dates in survey.deliveries.items():
        for day in dates:
            load_delivery(con, landing, table, day)
    record_landing_survey(con, survey)
    assert loaded_ids(con) == ["e1"]
    kinds = [k for k, *_ in ledger_rejections(con)]
    assert kinds.count("delivery") == 7 and kinds.count("entry") == 2
    # A later survey replaces the record: a fixed folder is no longer listed.
    shutil.rmtree(landing / "events" / "dt=2026-13-45")
    record_landing_survey(con, survey_landing(landing, date(2024, 1, 1), date(2026, 11, 30)))
    assert sum(1 for k, *_ in ledger_rejections(con) if k == "delivery") == 6


# --------------------------------------------------- everything in the landing zone is accounted for


def test_every_entry_of_a_delivery_folder_has_a_ledger_row(tmp_path, con):
    write_parquet(tmp_path, "events", "part-0.parquet", [event(0)])
    gz = write_csv(tmp_path, "events", "part-1.csv", [event(1), event(2, client="fax")])
    gz.with_name("part-1.csv.gz").write_bytes(gzip.compress(gz.read_bytes()))
    gz.unlink()
    write_bytes(tmp_path, "events", "part-2.csv.zip", b"PK\x03\x04")
    write_bytes(tmp_path, "events", "part-3.parquet.gz", b"\x1f\x8b")
    write_bytes(tmp_path, "events", "_SUCCESS", b"")
    write_parquet(tmp_path, "events", ".part-4.parquet", [event(4)])
    nested = folder(tmp_path, "events") / "hour=03"
    nested.mkdir()
    pq.write_table(arrow_table("events", [event(5)]), nested / "part-0.parquet")
    (folder(tmp_path, "events") / "_temporary").mkdir()
    report = load_delivery(con, tmp_path, "events", DAY)
    # The gzip CSV loads (pyarrow reads it natively); everything else is recorded by name.
    assert loaded_ids(con) == ["e0", "e1"]
    assert quarantined(con) == [(1, "client: unknown value: fax")]
    refused = entries(con)
    assert set(refused) == {
        "part-2.csv.zip",
        "part-3.parquet.gz",
        "_SUCCESS",
        ".part-4.parquet",
        "hour=03",
        "_temporary",
    }
    assert "not a format the pipeline reads" in refused["part-2.csv.zip"][1]
    assert "hidden or temporary" in refused["_SUCCESS"][1]
    assert refused["hour=03"] == (
        "folder",
        ("a folder inside a delivery (a delivery is the files directly in its dt= folder)"),
    )
    assert len(report.refused_entries) == 6
    # Per file, landed = loaded + quarantined.
    rows = con.execute(
        "select rows_landed, rows_loaded, rows_quarantined from raw.deliveries"
    ).fetchall()
    assert sorted(rows) == [(1, 1, 0), (2, 1, 1)]
    reconcile(con, "events")
    # A reload replaces the delivery's entries rather than adding to them.
    load_delivery(con, tmp_path, "events", DAY)
    assert con.execute("select count(*) from raw.landing_entries").fetchone()[0] == 6


def test_reconcile_fails_for_a_file_whose_rows_went_missing(tmp_path, con):
    write_parquet(tmp_path, "events", "a.parquet", [event(0), event(1)])
    write_parquet(tmp_path, "events", "b.parquet", [event(2)])
    load_delivery(con, tmp_path, "events", DAY)
    # Move a row from one file to the other: totals agree, files do not.
    con.execute(
        "update raw.events set _source_file = (select min(_source_file) from raw.events "
        "where event_id = 'e2') where event_id = 'e1'"
    )
    with pytest.raises(AssertionError, match="files that do not reconcile"):
        reconcile(con, "events")


# ------------------------------------------------------------ types as the contract means them


def test_an_all_null_optional_column_is_valid(tmp_path, con):
    """Arrow writes an all-null column with the null type (DuckDB would read INTEGER)."""
    table = arrow_table("appeals", [appeal(1), appeal(2)], types={"decided_at": pa.null()})
    pq.write_table(table, folder(tmp_path, "appeals") / "part-0.parquet")
    report = load_delivery(con, tmp_path, "appeals", DAY)
    assert not report.rejected_files and report.rows_loaded == 2
    # All-null where the contract forbids null: the rows are quarantined, not the file.
    events = arrow_table(
        "events", [event(1, client=None), event(2, client=None)], types={"client": pa.null()}
    )
    pq.write_table(events, folder(tmp_path, "events") / "part-0.parquet")
    report = load_delivery(con, tmp_path, "events", DAY)
    assert not report.rejected_files
    assert [r for _, r in quarantined(con)] == ["client: null", "client: null"]


def test_uuid_and_string_like_ids_are_read_as_canonical_text(tmp_path, con):
    ids = [uuid.UUID(int=i * 0x1234567890ABCDEF) for i in (1, 2)]
    table = arrow_table("events", [event(1), event(2)])
    table = table.set_column(0, "event_id", pa.array([u.bytes for u in ids], pa.uuid()))
    table = table.set_column(1, "account_id", pa.array(["a1", "a2"]).dictionary_encode())
    table = table.set_column(7, "target_account_id", pa.array([b"a2", None], pa.binary()))
    table = table.set_column(8, "target_event_id", pa.array(["x", None], pa.large_string()))
    pq.write_table(table, folder(tmp_path, "events") / "part-0.parquet")
    report = load_delivery(con, tmp_path, "events", DAY)
    assert not report.rejected_files, report.messages
    rows = con.execute(
        "select event_id, account_id, target_account_id, target_event_id from raw.events "
        "order by account_id"
    ).fetchall()
    assert rows == [(str(ids[0]), "a1", "a2", "x"), (str(ids[1]), "a2", None, None)]


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_booleans_are_exactly_true_false_1_0(tmp_path, con, fmt):
    values = ["true", "FALSE", "1", "0", "True", "2", "-1", "yes", "t", " true"]
    rows = [event(i, ai_label=v) for i, v in enumerate(values)]
    types = {"ai_label": pa.string()}
    if fmt == "parquet":
        write_parquet(tmp_path, "events", "part-0.parquet", rows, types=types)
    else:
        path = folder(tmp_path, "events") / "part-0.csv"
        arrow_table("events", rows, types).to_pandas().to_csv(
            path, index=False, date_format="%Y-%m-%dT%H:%M:%SZ"
        )
    load_delivery(con, tmp_path, "events", DAY)
    got = dict(con.execute("select event_id, ai_label from raw.events").fetchall())
    assert got == {"e0": True, "e1": False, "e2": True, "e3": False, "e4": True}
    assert [r.split(": ")[1] for _, r in quarantined(con)] == ["not a boolean"] * 5


def test_integer_booleans_other_than_0_and_1_are_quarantined(tmp_path, con):
    rows = [event(i, commercial=v) for i, v in enumerate([0, 1, 2, -1])]
    write_parquet(tmp_path, "events", "part-0.parquet", rows, types={"commercial": pa.int8()})
    load_delivery(con, tmp_path, "events", DAY)
    assert dict(con.execute("select event_id, commercial from raw.events").fetchall()) == {
        "e0": False,
        "e1": True,
    }
    assert [r for _, r in quarantined(con)] == [
        "commercial: not a boolean: 2",
        "commercial: not a boolean: -1",
    ]


def test_ids_are_trimmed_the_same_in_every_id_column(tmp_path, con):
    write_csv(
        tmp_path,
        "events",
        "part-0.csv",
        [
            event(
                1,
                account_id=" a1 ",
                target_account_id="\ta2 ",
                target_event_id=" e0\t",
                event_id=" e1",
            )
        ],
    )
    load_delivery(con, tmp_path, "events", DAY)
    assert con.execute(
        "select event_id, account_id, target_account_id, target_event_id from raw.events"
    ).fetchall() == [("e1", "a1", "a2", "e0")]


def test_events_more_than_three_days_before_the_delivery_are_quarantined(tmp_path, con):
    start = datetime(DAY.year, DAY.month, DAY.day, tzinfo=UTC)
    stamps = {
        "on_time": start + timedelta(hours=5),
        "three_days_late": start - timedelta(days=3),
        "too_late": start - timedelta(days=3, seconds=1),
        "after": start + timedelta(days=2),
    }
    write_parquet(
        tmp_path,
        "events",
        "part-0.parquet",
        [event(i, event_id=k, event_ts=v) for i, (k, v) in enumerate(stamps.items())],
    )
    load_delivery(con, tmp_path, "events", DAY)
    assert loaded_ids(con) == ["on_time", "three_days_late"]
    reasons = [r for _, r in quarantined(con)]
    assert reasons[0].startswith(
        "event_ts: more than 3 days before the delivery date: 2026-10-28 23:59:59"
    )
    assert reasons[1].startswith("event_ts: after the delivery date")


# ------------------------------------------------------------------------------ run date


def test_the_run_date_is_the_newest_delivery_with_rows(tmp_path, con):
    write_parquet(tmp_path, "events", "part-0.parquet", [event(1)])
    tomorrow, after = DAY + timedelta(days=1), DAY + timedelta(days=2)
    folder(tmp_path, "events", tomorrow)  # an empty folder for tomorrow
    write_csv(tmp_path, "events", "part-0.csv", [], day=after)  # a header-only file
    dates = discover_delivery_dates(tmp_path)["events"]
    assert dates == [DAY, tomorrow, after]
    for day in dates:
        load_delivery(con, tmp_path, "events", day)
    assert newest_delivery_with_rows(con, dates) == DAY


# ------------------------------------------------------------------ outputs are safe to open


def test_published_csv_cells_a_spreadsheet_would_evaluate_are_neutralised(tmp_path):
    import pandas as pd

    from realpeople.defs.publish.files import write_snapshot

    ids = ['=HYPERLINK("http://x")', "+1", "-2", "@SUM(A1)", "\tx", "\rx", "plain"]
    listed = pd.DataFrame(
        {
            "account_id": ids,
            "action": "terminate",
            "score_ai_managed": -0.5,
            "score_ai_assisted": 0.1,
            "reasons": "=1+1",
            "model_version": "3",
            "run_date": "2026-11-01",
        }
    )
    queue = pd.DataFrame(
        columns=[
            "account_id",
            "queue_reason",
            "score_ai_managed",
            "score_ai_assisted",
            "reasons",
            "model_version",
            "run_date",
        ]
    )
    metrics = pd.DataFrame(
        {"run_date": ["2026-11-01"], "metric": ["m"], "value": [-1.0], "description": ["-minus"]}
    )
    out = write_snapshot(
        tmp_path,
        "2026-11-01",
        listed,
        queue,
        metrics,
        pd.DataFrame(columns=["run_date", "metric", "value"]),
        pd.DataFrame(columns=["day", "marker_posts_labelled_share"]),
    )
    csv = pd.read_csv(out / "enforcement_list.csv", keep_default_na=False)
    assert list(csv["account_id"]) == ["'" + i for i in ids[:-1]] + ["plain"]
    assert set(csv["reasons"]) == {"'=1+1"} and set(csv["score_ai_managed"]) == {-0.5}
    assert list(pq.read_table(out / "enforcement_list.parquet")["account_id"].to_pylist()) == ids
    assert pd.read_csv(out / "compliance_metrics.csv")["description"][0] == "'-minus"


# -------------------------------------------------------------------------- an outside world


def test_an_outside_world_loads_whole_and_reconciles(tmp_path, con):
    """foreign-1000x8: an export written from the contract alone by someone who never read
    this code (read-only: copied first). Every file loads; the only rows quarantined are
    the events stamped after the end of their delivery's day, which contract 1.1 quarantines
    (counted here straight from the files, not through the loader)."""
    from datetime import datetime, timedelta

    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    landing = tmp_path / "landing"
    shutil.copytree(FOREIGN_WORLD, landing)
    survey = survey_landing(landing, date(2024, 1, 1))
    assert survey.refused == []
    landed = quarantined = after_dt = 0
    for table, dates in survey.deliveries.items():
        for day in dates:
            report = load_delivery(con, landing, table, day)
            assert not report.rejected_files and not report.refused_entries, report.messages
            counts = reconcile(con, table, day)
            landed += counts["landed"]
            quarantined += counts["quarantined"]
            if table == "events":
                end = datetime.combine(day + timedelta(days=1), datetime.min.time(), UTC)
                for path in (landing / "events" / f"dt={day}").glob("*.parquet"):
                    ts = pq.read_table(path, columns=["event_ts"])["event_ts"]
                    after_dt += pc.sum(pc.greater_equal(ts, pa.scalar(end, ts.type))).as_py() or 0
    assert quarantined == after_dt > 0
    reasons = con.execute("select reason from raw.quarantine").fetchall()
    assert {r.split(":")[0] + ":" + r.split(":")[1] for (r,) in reasons} == {
        "event_ts: after the delivery date"
    }
    loaded = sum(
        con.execute(f"select count(*) from raw.{t}").fetchone()[0] for t in survey.deliveries
    )
    assert landed == loaded + quarantined
    assert ledger_rejections(con) == []
