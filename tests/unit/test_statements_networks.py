"""Issue 18 on a hand-made small world: statements of reasons for each decision path,
append-only across run dates, decisions.parquet, networks, pseudonyms, the typed
metrics CSV and the report's rule texts."""

import json
import stat
from datetime import date, datetime

import pandas as pd
import pytest

from realpeople import vocabulary
from realpeople.defs.publish import rules
from realpeople.defs.publish import statements as sor
from realpeople.defs.publish.networks import networks_frame, record_networks
from realpeople.defs.publish.pseudonyms import key_path, load_key, pseudonym, resolve
from realpeople.settings import load_settings
from tests.unit.test_publish_rules import RUN, appeal, con, review, score  # noqa: F401 (fixture)

NEXT = "2026-11-16"


def publish(con, run_date, key):  # noqa: F811 (con: the imported fixture's name)
    """What published_snapshot does for statements and decisions, then records the run."""
    rules.decide(con, run_date, override_days=28)
    sor.prepare_decisions(con, run_date)
    issued = sor.record_statements(con, run_date, key)
    decided = sor.decisions_frame(con, run_date)
    con.execute("drop table decisions_today")
    rules.record_publication(con, run_date, {}, "3")
    return issued, decided


@pytest.fixture
def key(tmp_path):
    return load_key(tmp_path / "data")


@pytest.fixture
def world(con):  # noqa: F811
    con.execute(
        "create table stg_activity__accounts (account_id varchar, created_at timestamp, "
        "delivered_on date)"
    )
    score(con, "bot", 0.97, 0.02, "terminate")  # the model alone
    score(con, "agreed", 0.95, 0.03, "terminate")  # moderator, as the model proposed
    review(con, "agreed", "ai_managed", 12)
    score(con, "overruled", 0.40, 0.10, None)  # moderator against the model
    review(con, "overruled", "ai_managed", 12, source="user_report")
    score(con, "helper", 0.10, 0.80, "warn_and_limit")
    return con


def test_each_decision_path_issues_a_valid_statement(world, key):
    issued, decided = publish(world, RUN, key)
    records = {json.loads(r)["x_account_pseudonym"]: json.loads(r) for r in issued["record"]}
    by_account = {a: records[pseudonym(a, key)] for a in ("bot", "agreed", "overruled", "helper")}
    assert by_account["bot"]["automated_decision"] == "AUTOMATED_DECISION_FULLY"
    assert by_account["agreed"]["automated_decision"] == "AUTOMATED_DECISION_PARTIALLY"
    assert by_account["overruled"]["automated_decision"] == "AUTOMATED_DECISION_NOT_AUTOMATED"
    assert by_account["bot"]["decision_account"] == "DECISION_ACCOUNT_TERMINATED"
    assert by_account["helper"]["decision_visibility"] == ["DECISION_VISIBILITY_CONTENT_DEMOTED"]
    assert "replies within 10 s" in by_account["bot"]["decision_facts"]
    check = sor.validator()
    for record in records.values():
        assert not list(check.iter_errors(record))
        assert "bot" not in record["puid"] and record["x_account_pseudonym"].startswith("p-")
    paths = dict(zip(decided["account_id"], decided["decision_path"]))
    assert paths == {
        "bot": "model",
        "agreed": "moderator_with_model",
        "overruled": "moderator_against_model",
        "helper": "model",
    }
    assert set(decided["new_or_continuing"]) == {"new"}
    assert decided["statement_id"].notna().all()


def test_without_a_model_the_moderator_decides_alone(con, key):  # noqa: F811
    con.execute(
        "create table stg_activity__accounts (account_id varchar, created_at timestamp, "
        "delivered_on date)"
    )
    con.execute("insert into account_features values (?, 'caught')", [RUN])
    review(con, "caught", "ai_managed", 12)
    issued, decided = publish(con, RUN, key)
    assert list(decided["decision_path"]) == ["moderator_without_model"]
    assert (
        json.loads(issued["record"][0])["automated_decision"] == "AUTOMATED_DECISION_NOT_AUTOMATED"
    )


def test_continuing_decisions_issue_nothing_and_a_lift_issues_one(world, key):
    publish(world, RUN, key)
    # The next day: bot and agreed continue, helper's appeal is upheld for the person
    # (overturned), overruled changes nothing, and a new account is caught.
    for account, managed, assisted, action in (
        ("bot", 0.97, 0.02, "terminate"),
        ("agreed", 0.95, 0.03, "terminate"),
        ("overruled", 0.40, 0.10, None),
        ("helper", 0.10, 0.80, "warn_and_limit"),
        ("newbot", 0.99, 0.0, "terminate"),
    ):
        score(world, account, managed, assisted, action, run=NEXT)
    appeal(world, "helper", "overturned", 15, 16, action="warn_and_limit")
    issued, decided = publish(world, NEXT, key)
    kinds = {
        (json.loads(r)["x_account_pseudonym"], json.loads(r)["x_kind"]) for r in issued["record"]
    }
    assert kinds == {(pseudonym("newbot", key), "action"), (pseudonym("helper", key), "lift")}
    lift = next(json.loads(r) for r in issued["record"] if json.loads(r)["x_kind"] == "lift")
    assert lift["end_date_visibility_restriction"] == NEXT and "appeal" in lift["decision_facts"]
    assert not list(sor.validator().iter_errors(lift))
    status = dict(zip(decided["account_id"], decided["new_or_continuing"]))
    assert status == {
        "bot": "continuing",
        "agreed": "continuing",
        "overruled": "continuing",
        "newbot": "new",
    }
    # Append-only: the first day's statements are untouched; re-running a day replaces it.
    per_day = dict(
        world.execute(
            "select run_date::varchar, count(*) from statements_of_reasons group by 1"
        ).fetchall()
    )
    assert per_day == {RUN: 4, NEXT: 2}
    publish(world, NEXT, key)
    assert world.execute("select count(*) from statements_of_reasons").fetchone()[0] == 6


def test_schema_value_sets_follow_the_vocabulary():
    props = sor.schema()["properties"]
    assert props["x_kind"]["enum"] == list(vocabulary.STATEMENT_KINDS)
    assert props["x_decision_path"]["enum"] == list(vocabulary.DECISION_PATHS)
    assert props["x_action"]["enum"] == list(vocabulary.ACTIONS)
    assert set(vocabulary.AUTOMATED_DECISION.values()) <= set(props["automated_decision"]["enum"])


def test_networks_from_shared_device_edges(world):
    world.execute(
        "alter table account_features add column device_lockstep_share double; "
        "alter table account_features add column text_lockstep_share double; "
        "update account_features set device_lockstep_share = 0.5, text_lockstep_share = 0.25"
    )
    rules.decide(world, RUN, override_days=28)
    t = datetime(2026, 11, 10)
    edges = pd.DataFrame(
        {
            "account_a": ["agreed", "bot", "x1"],
            "account_b": ["bot", "overruled", "x2"],
            "weight": [1, 2, 1],
            "first_shared_at": [t, t, t],
            "last_shared_at": [datetime(2026, 11, 15)] * 3,
            "kind": ["device"] * 3,
        }
    )
    assert record_networks(world, RUN, edges) == 1  # x1-x2: nobody actioned, not reported
    (net,) = networks_frame(world, RUN).to_dict("records")
    assert (net["size"], net["members_actioned"], net["members_terminated"]) == (3, 3, 3)
    assert sorted(net["member_ids"]) == ["agreed", "bot", "overruled"]
    assert (
        "3 accounts tied by 2 pairs that used the same device;" in net["evidence"]
        and "50%" in net["evidence"]
    )
    # A co-targeting tie (issue 16's clusters) joins the same network and is named as such.
    both = pd.concat(
        [
            edges,
            pd.DataFrame(
                {
                    "account_a": ["bot"],
                    "account_b": ["x1"],
                    "weight": [3.0],
                    "first_shared_at": [t],
                    "last_shared_at": [t],
                    "kind": ["cotarget"],
                }
            ),
        ],
        ignore_index=True,
    )
    assert record_networks(world, RUN, both) == 1
    (net,) = networks_frame(world, RUN).to_dict("records")
    assert net["size"] == 5
    assert (
        "tied by 3 pairs that used the same device and 1 ties of engaging the same posts and "
        "accounts at the same time (co-targeting)"
    ) in net["evidence"]
    assert record_networks(world, RUN, edges) == 1  # re-run replaces
    assert world.execute("select count(*) from network_members").fetchone()[0] == 3
    # no edge model built (features without it): no networks, the run goes on
    assert record_networks(world, RUN) == 0


def test_pseudonym_key_is_private_and_maps_back(tmp_path):
    key = load_key(tmp_path)
    mode = key_path(tmp_path).stat().st_mode
    assert (
        stat.S_IMODE(mode) == 0o600
        and stat.S_IMODE(key_path(tmp_path).parent.stat().st_mode) == 0o700
    )
    assert load_key(tmp_path) == key  # created once
    p = pseudonym("acc-42", key)
    assert p != pseudonym("acc-42", b"another installation's key!!")
    assert resolve(p, ["acc-1", "acc-42"], key) == ["acc-42"]


def test_metrics_csv_writes_counts_as_integers_and_versions_as_text(tmp_path):
    import pyarrow as pa

    from realpeople.defs.publish.files import COMPLIANCE_METRICS_SCHEMA, metrics_csv_frame

    table = pa.Table.from_pandas(
        pd.DataFrame(
            {
                "run_date": [date(2026, 11, 15)] * 3,
                "metric": ["accounts_scored", "proactive_rate", "model_version"],
                "value": [2175.0, 0.3125, 3.0],
                "description": ["a", "b", "c"],
                "unit": ["count", "fraction", "version"],
            }
        ),
        schema=COMPLIANCE_METRICS_SCHEMA,
        preserve_index=False,
    )
    frame = metrics_csv_frame(table)
    assert list(frame["value"]) == ["2175", "0.3125", "3"]


def test_report_rule_texts_follow_the_settings():
    from realpeople.defs.publish.report import render_report

    metrics = pd.DataFrame(
        {
            "metric": ["terminate_audit_sample_size", "model_acting"],
            "value": [4.0, 1.0],
            "description": ["x", "y"],
            "unit": ["count", "flag"],
        }
    )
    empty = pd.DataFrame(columns=["run_date", "metric", "value"])
    labelling = pd.DataFrame(columns=["day", "marker_posts", "marker_posts_labelled_share"])

    def page(**env):
        settings = load_settings({"REALPEOPLE_DATA_DIR": "/tmp/x", **env})
        return render_report(RUN, pd.DataFrame(), metrics, empty, labelling, settings=settings)

    default = page()
    assert "at least 99% × (1 − 2% verdicts assumed wrong)" in default
    assert "exceed 3× the median of the last 7 published runs" in default
    assert "not enough audit yet: 4 of the 30 audits needed (26 more)" in default
    changed = page(
        REALPEOPLE_TERMINATE_PRECISION="0.995",
        REALPEOPLE_BRAKE_FACTOR="4",
        REALPEOPLE_PRECISION_MIN_AUDITS="50",
        REALPEOPLE_REVIEW_OVERRIDE_DAYS="14",
    )
    assert "at least 99.5% ×" in changed and "exceed 4× the median" in changed
    assert "4 of the 50 audits needed" in changed and "from the last 14 days" in changed
    assert "99%" not in changed.replace("99.5%", "")


def test_the_record_checker_finds_what_the_full_validator_finds(world, key):
    """Statements are checked field value by field value (each distinct value once); the
    errors are exactly the schema validator's, for valid records and for broken ones."""
    issued, _ = publish(world, RUN, key)
    records = [json.loads(r) for r in issued["record"]]
    broken = []
    for i, record in enumerate(records):
        variants = [
            {**record, "x_action": "ban"},  # not in the enum
            {k: v for k, v in record.items() if k != "decision_facts"},  # required
            {**record, "x_unknown": 1},  # no additional fields
            {**record, "territorial_scope": ["DE", "de", "DE"]},  # pattern, unique items
            {
                k: v
                for k, v in record.items()
                if k not in ("decision_account", "decision_visibility")
            },
            {**record, "content_date": 20261115, "puid": ""},  # type, minLength
        ]
        broken += variants if i < 2 else variants[:2]
    check, full = sor.RecordChecker(), sor.validator()
    for record in records + broken + records:  # the second pass answers from the cache
        expected = sorted(("/".join(map(str, e.path)), e.message) for e in full.iter_errors(record))
        assert check.errors(record) == expected
    assert all(check.errors(r) for r in broken) and not any(check.errors(r) for r in records)
