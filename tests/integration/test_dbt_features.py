"""Build the dbt project over a small hand-made raw warehouse and check real feature values.

The data is small on purpose (a few hundred events) but each row is there to prove one
behaviour: a bot posting every 600 s around the clock and answering DMs in 2 s; a person
active in waking hours who answers slowly; two bot accounts sharing a text template and a
device; an event re-sent in a later delivery and duplicated inside one; an account
delivered several times (latest snapshot as of the run date wins); an event and an
account that land after the first run date (point in time).
"""

from __future__ import annotations

import json
import math
import shutil
import time
from datetime import date, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from tests.dbt_runner import (
    DBT_PROJECT_DIR,
    assert_same_rows,
    close_dbt_duckdb,
    features,
    run_dbt,
)

pytestmark = pytest.mark.slow

RUN_DATE = "2024-03-10"
NEXT_RUN_DATE = "2024-03-11"
START = datetime(2024, 3, 7, 16)  # local midnight of 2024-03-08 at UTC+8
BOT_SLOTS = 3 * 24 * 6  # every 600 s for three local days
TEMPLATE = "Top 5 skincare tips ✨\n1. Cleanse\n2. Tone\n3. Glow #{n}"

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
ACCOUNT_COLUMNS = [
    "account_id",
    "created_at",
    "declared_country",
    "bio",
    "avatar_hash",
    "signup_client",
    "signup_ip_country",
    "follower_count",
    "following_count",
]
LINEAGE_DDL = "_delivery_date DATE, _source_file VARCHAR, _file_row BIGINT, _loaded_at TIMESTAMP"

# Slots where the bot answers a DM the person sent 2 s earlier (daytime for the person).
BOT_REPLY_SLOTS = {57, 69, 207, 351}
# Slots where the bot writes to the person; the person answers two of them, slowly.
BOT_DM_SLOTS = {108: 1500, 248: 7200, 398: None}


def _event(event_id, account_id, ts, event_type, client, device_id, **extra):
    row = dict.fromkeys(EVENT_COLUMNS)
    row.update(
        event_id=event_id,
        account_id=account_id,
        event_ts=ts,
        event_type=event_type,
        client=client,
        device_id=device_id,
        ip_country=extra.pop("ip_country", "CN"),
    )
    row.update(extra)
    return row


def _bot_events() -> list[dict]:
    events = []
    for i in range(BOT_SLOTS):
        ts = START + timedelta(seconds=600 * i)
        common = {"client": "api", "device_id": "dev_farm", "ip_country": "US"}
        if i in BOT_REPLY_SLOTS:
            events.append(
                _event(
                    f"bot_e{i}",
                    "bot_1",
                    ts,
                    "dm",
                    target_account_id="person_1",
                    target_event_id=f"p_dm{i}",
                    text="Thanks for reaching out! 😊",
                    **common,
                )
            )
        elif i in BOT_DM_SLOTS:
            events.append(
                _event(
                    f"bot_e{i}",
                    "bot_1",
                    ts,
                    "dm",
                    target_account_id="person_1",
                    text="Check my new course 👉 link",
                    **common,
                )
            )
        else:
            events.append(
                _event(
                    f"bot_e{i}",
                    "bot_1",
                    ts,
                    "post",
                    text=TEMPLATE.format(n=i),
                    image_hash=f"img_{i % 7}",
                    ai_metadata=True,
                    commercial=True,
                    **common,
                )
            )
    # A second farm account: same template, same device, same images.
    for k in range(5):
        ts = datetime(2024, 3, 9, 3) + timedelta(hours=k)
        events.append(
            _event(
                f"bot2_e{k}",
                "bot_2",
                ts,
                "post",
                "api",
                "dev_farm",
                ip_country="US",
                text=TEMPLATE.format(n=100 + k),
                image_hash=f"img_{k}",
                commercial=True,
            )
        )
    return events


def _person_events() -> list[dict]:
    p = {"client": "app_ios", "device_id": "dev_p1"}
    events = []
    # DMs to the bot, 2 s before the bot's reply slot.
    for i in BOT_REPLY_SLOTS:
        ts = START + timedelta(seconds=600 * i - 2)
        events.append(
            _event(
                f"p_dm{i}",
                "person_1",
                ts,
                "dm",
                target_account_id="bot_1",
                text=f"hi, is this legit? asking about order {i}",
                **p,
            )
        )
    # Slow answers to the bot's DMs.
    for i, latency in BOT_DM_SLOTS.items():
        if latency is not None:
            ts = START + timedelta(seconds=600 * i + latency)
            events.append(
                _event(
                    f"p_reply{i}",
                    "person_1",
                    ts,
                    "dm",
                    target_account_id="bot_1",
                    target_event_id=f"bot_e{i}",
                    text="hmm, not sure. maybe later",
                    **p,
                )
            )
    # Irregular waking-hour activity (UTC 00:00-15:00 is 08:00-23:00 at UTC+8).
    for j, (day, hh, mm, kind) in enumerate(
        [
            (8, 0, 40, "login"),
            (8, 0, 42, "like"),
            (8, 5, 10, "post"),
            (8, 13, 55, "comment"),
            (9, 1, 5, "login"),
            (9, 1, 7, "like"),
            (9, 1, 9, "like"),
            (9, 9, 47, "post"),
            (9, 14, 30, "follow"),
            (10, 0, 15, "login"),
            (10, 6, 2, "comment"),
            (10, 12, 40, "like"),
        ]
    ):
        ts = datetime(2024, 3, day, hh, mm)
        extra = {}
        if kind == "post":
            extra = {
                "text": f"周末去了趟西湖，人好多但是风景真的很美 day {day}",
                "image_hash": f"p_img{j}",
            }
        if kind == "comment":
            # Comment on a bot post three hours after it went up.
            post_slot = (int((ts - START).total_seconds()) // 600) - 18
            extra = {
                "target_event_id": f"bot_e{post_slot}",
                "target_account_id": "bot_1",
                "text": "does this really work for dry skin?",
            }
        if kind in {"like", "follow"}:
            extra = {"target_account_id": "bot_1"}
        events.append(_event(f"p_e{j}", "person_1", ts, kind, **p, **extra))
    return events


def _deliveries(events: list[dict]) -> list[tuple]:
    """Each event lands on its UTC date; plus a re-send, an in-file duplicate and a late row."""
    rows = []
    for e in events:
        dt = e["event_ts"].date()
        rows.append((e, dt, f"events/dt={dt}/part-0.parquet"))
    resent = next(e for e in events if e["event_id"] == "p_e2")
    rows.append((resent, date(2024, 3, 10), "events/dt=2024-03-10/resend.parquet"))
    rows.append((resent, date(2024, 3, 8), "events/dt=2024-03-08/part-0.parquet"))
    # Happened on the run date but delivered the day after: invisible as of RUN_DATE.
    late = _event(
        "p_late",
        "person_1",
        datetime(2024, 3, 10, 14, 0),
        "post",
        "app_ios",
        "dev_p1",
        text="late night snack review, very spicy noodles",
    )
    rows.append((late, date(2024, 3, 11), "events/dt=2024-03-11/part-0.parquet"))
    return rows


def _account(account_id, created_at, followers, following, **extra):
    row = {
        "account_id": account_id,
        "created_at": created_at,
        "declared_country": "CN",
        "bio": None,
        "avatar_hash": None,
        "signup_client": "app_ios",
        "signup_ip_country": "CN",
        "follower_count": followers,
        "following_count": following,
    }
    row.update(extra)
    return row


def build_raw_warehouse(path: Path) -> None:
    """Write the raw schema the ingestion step produces, filled with the hand-made rows."""
    con = duckdb.connect(str(path))
    con.execute("create schema raw")
    con.execute(f"""create table raw.events (
        event_id VARCHAR, account_id VARCHAR, event_ts TIMESTAMP, event_type VARCHAR,
        client VARCHAR, device_id VARCHAR, ip_country VARCHAR, target_account_id VARCHAR,
        target_event_id VARCHAR, text VARCHAR, image_hash VARCHAR, location_tag VARCHAR,
        ai_label BOOLEAN, ai_metadata BOOLEAN, commercial BOOLEAN, {LINEAGE_DDL})""")
    con.execute(f"""create table raw.accounts (
        account_id VARCHAR, created_at TIMESTAMP, declared_country VARCHAR, bio VARCHAR,
        avatar_hash VARCHAR, signup_client VARCHAR, signup_ip_country VARCHAR,
        follower_count BIGINT, following_count BIGINT, {LINEAGE_DDL})""")
    con.execute(f"""create table raw.reviews (review_id VARCHAR, account_id VARCHAR,
        reviewed_at TIMESTAMP, verdict VARCHAR, source VARCHAR, {LINEAGE_DDL})""")
    con.execute(f"""create table raw.appeals (appeal_id VARCHAR, account_id VARCHAR,
        action VARCHAR, filed_at TIMESTAMP, outcome VARCHAR, decided_at TIMESTAMP,
        {LINEAGE_DDL})""")
    loaded = datetime(2024, 3, 12)

    file_rows: dict[str, int] = {}

    def lineage(dt: date, source_file: str) -> tuple:
        row = file_rows.get(source_file, 0)
        file_rows[source_file] = row + 1
        return (dt, source_file, row, loaded)

    events = _bot_events() + _person_events()
    con.executemany(
        f"insert into raw.events values ({', '.join(['?'] * (len(EVENT_COLUMNS) + 4))})",
        [tuple(e[c] for c in EVENT_COLUMNS) + lineage(dt, f) for e, dt, f in _deliveries(events)],
    )
    accounts = [
        (
            _account(
                "bot_1", datetime(2024, 1, 1), 10, 500, avatar_hash="av_farm", signup_client="api"
            ),
            date(2024, 3, 1),
            "a.parquet",
        ),
        (
            _account(
                "bot_2", datetime(2024, 1, 2), 3, 800, avatar_hash="av_farm", signup_client="api"
            ),
            date(2024, 3, 1),
            "a.parquet",
        ),
        (
            _account("person_1", datetime(2023, 5, 1), 10, 20, avatar_hash="av_p1"),
            date(2024, 3, 1),
            "a.parquet",
        ),
        # Changed on 03-09, delivered in two files: the later file wins.
        (
            _account("person_1", datetime(2023, 5, 1), 40, 20, avatar_hash="av_p1"),
            date(2024, 3, 9),
            "a.parquet",
        ),
        (
            _account("person_1", datetime(2023, 5, 1), 50, 20, avatar_hash="av_p1"),
            date(2024, 3, 9),
            "b.parquet",
        ),
        # Changed again after RUN_DATE: only visible from NEXT_RUN_DATE on.
        (
            _account("person_1", datetime(2023, 5, 1), 999, 20, avatar_hash="av_p1"),
            date(2024, 3, 11),
            "a.parquet",
        ),
        (_account("late_1", datetime(2024, 3, 10, 12), 0, 0), date(2024, 3, 11), "a.parquet"),
    ]
    con.executemany(
        f"insert into raw.accounts values ({', '.join(['?'] * (len(ACCOUNT_COLUMNS) + 4))})",
        [
            tuple(a[c] for c in ACCOUNT_COLUMNS) + lineage(dt, f"accounts/dt={dt}/{f}")
            for a, dt, f in accounts
        ],
    )
    con.executemany(
        "insert into raw.reviews values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                "r1",
                "bot_1",
                datetime(2024, 3, 9, 8),
                "ai_managed",
                "user_report",
                *lineage(date(2024, 3, 9), "reviews/dt=2024-03-09/a.parquet"),
            ),
            (
                "r1",
                "bot_1",
                datetime(2024, 3, 9, 8),
                "ai_managed",
                "user_report",
                *lineage(date(2024, 3, 10), "reviews/dt=2024-03-10/a.parquet"),
            ),
            (
                "r2",
                "person_1",
                datetime(2024, 3, 9, 9),
                "human",
                "random_sample",
                *lineage(date(2024, 3, 9), "reviews/dt=2024-03-09/a.parquet"),
            ),
        ],
    )
    con.executemany(
        "insert into raw.appeals values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                "ap1",
                "bot_1",
                "terminate",
                datetime(2024, 3, 9, 10),
                "pending",
                None,
                *lineage(date(2024, 3, 9), "appeals/dt=2024-03-09/a.parquet"),
            ),
            (
                "ap1",
                "bot_1",
                "terminate",
                datetime(2024, 3, 9, 10),
                "upheld",
                datetime(2024, 3, 10, 9),
                *lineage(date(2024, 3, 10), "appeals/dt=2024-03-10/a.parquet"),
            ),
        ],
    )
    con.close()


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("dbt_features")
    path = tmp_path / "warehouse.duckdb"
    build_raw_warehouse(path)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("REALPEOPLE_WAREHOUSE_PATH", str(path))
        mp.setenv("REALPEOPLE_DUCKDB_TEMP_DIR", str(tmp_path / "duckdb_tmp"))
        mp.setenv("REALPEOPLE_DUCKDB_MEMORY_LIMIT", "1GB")
        yield tmp_path, path


def dbt_build(tmp_path: Path, run_date: str) -> float:
    from dbt.cli.main import dbtRunner

    started = time.perf_counter()
    result = dbtRunner().invoke(
        [
            "build",
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
            "--target-path",
            str(tmp_path / "target"),
            "--log-path",
            str(tmp_path / "logs"),
            "--vars",
            json.dumps({"run_date": run_date}),
        ]
    )
    elapsed = time.perf_counter() - started
    close_dbt_duckdb()
    assert result.success, f"dbt build failed for {run_date}: {result.exception or result.result}"
    return elapsed


@pytest.fixture(scope="module")
def first_build(warehouse):
    tmp_path, path = warehouse
    elapsed = dbt_build(tmp_path, RUN_DATE)
    print(f"dbt build {RUN_DATE}: {elapsed:.1f}s")
    return features(path)


def test_every_dbt_unit_test_passes(warehouse, first_build):
    """The dbt unit tests run here (and on Spark in make test-spark), not in the
    pipeline's builds (defs/features/assets.py excludes them: fixed inputs, no delivery
    can fail them): this build must have run every one the project declares, and passed."""
    tmp_path, _ = warehouse
    target = tmp_path / "target"
    declared = {uid for uid in json.loads((target / "manifest.json").read_text())["unit_tests"]}
    results = json.loads((target / "run_results.json").read_text())["results"]
    ran = {r["unique_id"]: r["status"] for r in results if r["unique_id"].startswith("unit_test.")}
    assert len(declared) >= 8 and set(ran) == declared
    assert set(ran.values()) == {"pass"}


def test_one_row_per_known_account(first_build):
    assert sorted(first_build) == [(RUN_DATE, "bot_1"), (RUN_DATE, "bot_2"), (RUN_DATE, "person_1")]


def test_bot_rhythm_and_replies(first_build):
    bot = first_build[(RUN_DATE, "bot_1")]
    assert bot["gap_cv"] == pytest.approx(0.0, abs=1e-9)
    assert bot["gap_median_seconds"] == pytest.approx(600.0)
    assert bot["dm_reply_under_10s_share"] == 1.0
    assert bot["dm_reply_latency_median_seconds"] == pytest.approx(2.0)
    # The person sent it 4 DMs and 2 replies; it answered the 4 DMs.
    assert bot["dm_inbound_answered_share"] == pytest.approx(4 / 6)
    assert bot["active_days"] == 3
    assert bot["events_per_active_day"] == pytest.approx(144.0)
    assert bot["hour_entropy"] == pytest.approx(1.0)
    assert bot["night_share"] == pytest.approx(0.25)
    assert bot["daily_volume_cv"] == pytest.approx(0.0, abs=1e-9)
    assert bot["longest_daily_gap_hours"] == pytest.approx(600 / 3600)
    assert bot["api_client_share"] == 1.0
    assert bot["ip_declared_country_mismatch_share"] == 1.0
    assert bot["list_marker_share"] > 0.9 and bot["line_break_share"] > 0.9
    assert bot["commercial_share"] == 1.0 and bot["ai_metadata_share"] == 1.0
    assert bot["signup_via_api"] == 1 and bot["avatar_shared"] == 1


def test_person_differs_from_bot(first_build):
    bot = first_build[(RUN_DATE, "bot_1")]
    person = first_build[(RUN_DATE, "person_1")]
    assert person["gap_cv"] > bot["gap_cv"] + 0.5
    assert person["night_share"] == 0.0 < bot["night_share"]
    assert person["hour_entropy"] < bot["hour_entropy"]
    assert person["longest_daily_gap_hours"] > 8
    assert person["dm_reply_under_10s_share"] == 0.0
    assert person["dm_reply_latency_median_seconds"] == pytest.approx((1500 + 7200) / 2)
    # 3 DMs and 4 replies from the bot; the person answered 2 of them.
    assert person["dm_inbound_answered_share"] == pytest.approx(2 / 7)
    assert person["comment_latency_median_seconds"] == pytest.approx(3 * 3600, abs=600)
    assert person["text_shared_share"] == 0.0
    assert person["signup_via_api"] == 0 and person["avatar_shared"] == 0
    assert person["max_accounts_per_device"] == 1


def test_shared_text_and_device(first_build):
    for account in ("bot_1", "bot_2"):
        row = first_build[(RUN_DATE, account)]
        assert row["text_shared_share"] > 0
        assert row["max_accounts_per_device"] == 2
        assert row["image_reused_share"] > 0
    assert first_build[(RUN_DATE, "bot_2")]["text_shared_share"] == 1.0


def test_resent_event_counted_once_and_late_event_excluded(first_build):
    person = first_build[(RUN_DATE, "person_1")]
    total = round(person["active_days"] * person["events_per_active_day"])
    # 4 DMs to the bot + 2 replies + 12 other events; p_e2 arrives three times, p_late after D.
    assert total == 18
    assert round(person["active_days"] * person["posts_per_active_day"]) == 2


def test_latest_snapshot_as_of_run_date_wins(first_build):
    person = first_build[(RUN_DATE, "person_1")]
    assert person["log_follower_following_ratio"] == pytest.approx(math.log(51 / 21))
    assert person["account_age_days"] == (date(2024, 3, 11) - date(2023, 5, 1)).days


def test_rerun_is_idempotent_and_history_is_kept(warehouse, first_build):
    tmp_path, path = warehouse
    dbt_build(tmp_path, RUN_DATE)
    assert_same_rows(features(path), first_build)

    dbt_build(tmp_path, NEXT_RUN_DATE)
    everything = features(path)
    assert_same_rows({k: v for k, v in everything.items() if k[0] == RUN_DATE}, first_build)
    later = {k[1]: v for k, v in everything.items() if k[0] == NEXT_RUN_DATE}
    assert sorted(later) == ["bot_1", "bot_2", "late_1", "person_1"]
    assert later["person_1"]["log_follower_following_ratio"] == pytest.approx(math.log(1000 / 21))
    # The late post, delivered on NEXT_RUN_DATE, now counts.
    person = later["person_1"]
    assert round(person["active_days"] * person["events_per_active_day"]) == 19
    assert later["late_1"]["active_days"] == 0
    assert later["late_1"]["events_per_active_day"] == 0.0
    assert later["late_1"]["gap_cv"] is None


def test_mart_columns_are_the_feature_contract(warehouse, first_build):
    """account_features has exactly MART_COLUMNS (KEY_COLUMNS + MART_FEATURES +
    MART_DESCRIPTORS), in that order: the one contract between dbt and src/realpeople/ml/
    cannot drift (the cluster features come from account_cluster_features)."""
    from realpeople.ml.features import KEY_COLUMNS, MART_COLUMNS, MART_DESCRIPTORS, MART_FEATURES

    _, path = warehouse
    with duckdb.connect(str(path), read_only=True) as con:
        columns = [r[0] for r in con.execute("describe main.account_features").fetchall()]
    assert MART_COLUMNS == (*KEY_COLUMNS, *MART_FEATURES, *MART_DESCRIPTORS)
    assert columns == list(MART_COLUMNS)


def test_farm_coordination_and_near_copies(first_build):
    bot_1, bot_2 = first_build[(RUN_DATE, "bot_1")], first_build[(RUN_DATE, "bot_2")]
    person = first_build[(RUN_DATE, "person_1")]
    # Two accounts on one device: each has one device partner; the person has none.
    assert bot_1["device_cluster_accounts"] == bot_2["device_cluster_accounts"] == 1
    assert person["device_cluster_accounts"] == 0 and person["device_lockstep_share"] == 0.0
    # The renumbered template is a near-copy (digits dropped) for both bots.
    assert bot_2["text_near_copy_share"] == 1.0
    assert person["text_near_copy_share"] == 0.0
    # A bot every 600 s: all gaps in one bin, perfectly periodic sessions.
    assert bot_1["gap_entropy"] < 0.1 < person["gap_entropy"]
    assert bot_1["dm_reply_latency_cv"] == pytest.approx(0.0, abs=1e-9)
    assert bot_1["commercial_share"] == 1.0 and bot_1["commercial_share_change"] == pytest.approx(
        0.0
    )
    assert person["commercial_share_change"] == pytest.approx(0.0)
    assert 0 < person["punctuation_share"] < 0.5 and 0 < person["type_token_ratio_mean"] <= 1


def test_a_broken_value_rule_fails_the_build_naming_the_column_and_an_example(
    warehouse, first_build, tmp_path
):
    """The mart's value rules (``config: meta: rules:`` in _marts.yml) are tested in one
    query over the run date's rows: a share above 1 and a flag of 2 on this run date
    fail it, each named with its count and an example; a bad row of another run date is
    not this build's and is not read (the test's cost follows one run date)."""
    _, path = warehouse
    broken = tmp_path / "broken.duckdb"
    shutil.copyfile(path, broken)
    with duckdb.connect(str(broken)) as con:
        con.execute(
            "update account_features set night_share = 1.25, avatar_shared = 2 "
            "where run_date = ? and account_id = 'bot_1'",
            [RUN_DATE],
        )
        con.execute(
            "insert into account_features select * replace "
            "(date '2024-03-01' as run_date, 7.0 as hour_entropy) "
            "from account_features where run_date = ? and account_id = 'person_1'",
            [RUN_DATE],
        )
    result = run_dbt(
        ["test", "--select", "account_features", "--store-failures"],
        tmp_path / "target",
        broken,
        RUN_DATE,
        {},
    )
    assert not result.success
    failed = {r.node.name: r.failures for r in result.result if r.status == "fail"}
    assert failed == {"account_features_column_rules": 2}
    with duckdb.connect(str(broken), read_only=True) as con:
        rows = con.execute(
            "select column_name, rule, broken_rows, example "
            "from main_dbt_test__audit.account_features_column_rules order by column_name"
        ).fetchall()
    assert rows == [("avatar_shared", "in (0, 1)", 1, "2"), ("night_share", "<= 1", 1, "1.25")]
