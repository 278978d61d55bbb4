"""Publishing rules on a hand-made small world: who is actioned, the brake, the metrics,
and the atomic folder rewrite."""

from datetime import date, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from realpeople.defs.publish import rules
from realpeople.defs.publish.files import write_snapshot

RUN = "2026-11-15"
D = date(2026, 11, 15)


def ts(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 11, day, hour)


@pytest.fixture
def con(tmp_path):
    c = duckdb.connect(str(tmp_path / "w.duckdb"))
    c.execute("""
        create table account_features (run_date date, account_id varchar);
        create table account_scores (run_date date, account_id varchar, score_human double,
            score_ai_assisted double, score_ai_managed double, proposed_action varchar,
            reasons varchar, model_name varchar, model_version varchar, scored_at timestamp);
        create table stg_activity__reviews (review_id varchar, account_id varchar,
            reviewed_at timestamp, verdict varchar, source varchar, delivered_on date);
        create table stg_activity__appeals (appeal_id varchar, account_id varchar, action varchar,
            filed_at timestamp, outcome varchar, decided_at timestamp, delivered_on date,
            superseded_on date);
        create table stg_activity__events (event_id varchar, account_id varchar, event_ts timestamp,
            event_type varchar, ai_label boolean, ai_metadata boolean, delivered_on date);
        create schema raw;
        create table raw.deliveries (table_name varchar, _delivery_date date, rows_landed bigint,
            rows_loaded bigint, rows_quarantined bigint, rejected_reason varchar);
        create table raw.landing_entries (path varchar, _delivery_date date, entry_kind varchar);
    """)
    yield c
    c.close()


def known(con, account, run=RUN):
    """An account with features on the run date (every scored account has them)."""
    con.execute("insert into account_features values (?, ?)", [run, account])


def score(con, account, managed, assisted, action, run=RUN, reasons="replies within 10 s"):
    known(con, account, run)
    con.execute(
        "insert into account_scores values (?, ?, ?, ?, ?, ?, ?, 'm', '3', now())",
        [
            run,
            account,
            1 - managed - assisted,
            assisted,
            managed,
            action,
            reasons if action else None,
        ],
    )


def review(con, account, verdict, day, source="random_sample", delivered=None):
    con.execute(
        "insert into stg_activity__reviews values (?, ?, ?, ?, ?, ?)",
        [f"r-{account}-{day}", account, ts(day), verdict, source, delivered or date(2026, 11, day)],
    )


def appeal(con, account, outcome, filed_day, decided_day, action="terminate"):
    con.execute(
        "insert into stg_activity__appeals values (?, ?, ?, ?, ?, ?, ?, null)",
        [
            f"ap-{account}",
            account,
            action,
            ts(filed_day),
            outcome,
            ts(decided_day) if decided_day else None,
            date(2026, 11, decided_day or filed_day),
        ],
    )


def decisions(con):
    rules.decide(con, RUN, override_days=28)
    listed = dict(con.execute("select account_id, action from enforcement_list").fetchall())
    queued = dict(con.execute("select account_id, queue_reason from review_queue").fetchall())
    return listed, queued


def test_model_tiers_and_review_band(con):
    score(con, "bot", 0.97, 0.02, "terminate")
    score(con, "helper", 0.1, 0.8, "warn_and_limit")
    score(con, "unsure", 0.6, 0.1, "review")
    score(con, "person", 0.01, 0.05, None)
    listed, queued = decisions(con)
    assert listed == {"bot": "terminate", "helper": "warn_and_limit"}
    assert queued == {"unsure": "uncertain model score"}


def test_a_recent_moderator_verdict_overrides_the_model(con):
    score(con, "cleared_person", 0.97, 0.02, "terminate")
    review(con, "cleared_person", "human", 10)
    score(con, "caught_bot", 0.2, 0.1, None)
    review(con, "caught_bot", "ai_managed", 12, source="user_report")
    score(con, "old_verdict", 0.97, 0.02, "terminate")
    review(con, "old_verdict", "human", 1)  # older than... still within 28 days
    con.execute(
        "update stg_activity__reviews set reviewed_at = timestamp '2026-09-01 00:00' "
        "where account_id = 'old_verdict'"
    )
    # Verdicts are noisy: a terminate verdict the model flatly contradicts is re-reviewed.
    score(con, "contested", 0.01, 0.02, None)
    review(con, "contested", "ai_managed", 12, source="user_report")
    listed, queued = decisions(con)
    assert "cleared_person" not in listed and "cleared_person" not in queued
    assert listed["caught_bot"] == "terminate"
    assert "contested" not in listed
    assert queued["contested"] == "moderator found automation, the model disagrees: second review"
    assert listed["old_verdict"] == "terminate"  # a stale verdict no longer overrides
    reasons = con.execute(
        "select reasons, decided_by from enforcement_list where account_id = 'caught_bot'"
    ).fetchone()
    assert reasons[0].startswith("moderator review on 2026-11-12 found: account run by automation")
    assert reasons[1] == "moderator"


def test_an_ai_assisted_verdict_the_model_flatly_contradicts_gets_a_second_review(con):
    """Issue 13: 16 of 17 people warned came from such verdicts. The same setting as for
    automation (REALPEOPLE_SECOND_REVIEW_BELOW), on the probability of any AI."""
    score(con, "writer", 0.05, 0.10, None)  # P(any AI) 0.15 < 0.2: the model says a person
    review(con, "writer", "ai_assisted", 12, source="user_report")
    score(con, "helped", 0.05, 0.30, None)  # P(any AI) 0.35: not a flat contradiction
    review(con, "helped", "ai_assisted", 12, source="user_report")
    listed, queued = decisions(con)
    assert "writer" not in listed
    assert queued["writer"] == "moderator found AI writing help, the model disagrees: second review"
    assert listed["helped"] == "warn_and_limit"


def test_without_a_model_the_moderators_decide_alone(con):
    """No model yet (too few reviews): nobody is scored; the recent verdicts act as they
    are, unscored, with decided_by = moderator, and nothing goes to the review queue."""
    for account in ("bot", "writer", "person", "unreviewed"):
        known(con, account)
    review(con, "bot", "ai_managed", 12, source="user_report")
    review(con, "writer", "ai_assisted", 13)
    review(con, "person", "human", 13)
    review(con, "stranger", "ai_managed", 13)  # reviewed, but no account delivered: no features
    listed, queued = decisions(con)
    assert listed == {"bot": "terminate", "writer": "warn_and_limit"}
    assert queued == {}
    rows = con.execute(
        "select decided_by, score_ai_managed, score_ai_assisted, model_version, run_date "
        "from enforcement_list"
    ).fetchall()
    assert rows == [("moderator", None, None, None, D)] * 2


def test_a_review_delivered_after_the_run_date_is_not_used(con):
    score(con, "bot", 0.97, 0.02, "terminate")
    review(con, "bot", "human", 14, delivered=date(2026, 11, 16))
    listed, _ = decisions(con)
    assert listed == {"bot": "terminate"}


def test_cleared_on_appeal_is_not_reactioned_without_new_evidence(con):
    score(con, "appealed", 0.95, 0.03, "terminate")
    appeal(con, "appealed", "overturned", 5, 7)
    score(con, "appealed_again", 0.95, 0.03, "terminate")
    appeal(con, "appealed_again", "overturned", 3, 4)
    # New evidence: a moderator finds AI use after the appeal was decided (and it is older
    # than the override window would otherwise need; it is within 28 days here, so the
    # verdict itself acts).
    review(con, "appealed_again", "ai_assisted", 9)
    score(con, "upheld", 0.95, 0.03, "terminate")
    appeal(con, "upheld", "upheld", 5, 7)
    listed, queued = decisions(con)
    assert "appealed" not in listed
    assert queued["appealed"] == "cleared on appeal, flagged again by the model"
    assert listed["appealed_again"] == "warn_and_limit"
    assert listed["upheld"] == "terminate"


def test_rerunning_decisions_replaces_the_run_date(con):
    score(con, "bot", 0.97, 0.02, "terminate")
    for _ in range(3):
        rules.decide(con, RUN, override_days=28)
    assert con.execute("select count(*) from enforcement_list").fetchone()[0] == 1


def _publish_history(con, counts):
    rules.ensure_tables(con)
    for day, n in zip(range(8, 8 + len(counts)), counts):
        con.execute(
            "insert into publications values (?, ?, 0, 0, '3', now())", [date(2026, 11, day), n]
        )


def _brake(con, **kw):
    args = {
        "factor": 3,
        "history_runs": 7,
        "min_history": 3,
        "min_terminate": 20,
        "psi_limit": 0.25,
    }
    args.update(kw)
    return rules.brake_status(con, RUN, **args)


def test_brake_trips_on_a_surge_and_an_operator_can_release_it(con):
    for i in range(100):
        score(con, f"a{i}", 0.97 if i < 60 else 0.01, 0.01, "terminate" if i < 60 else None)
    _publish_history(con, [10, 12, 11, 9])
    rules.decide(con, RUN, override_days=28)
    status = _brake(con)
    assert status.blocks
    assert (
        "60 terminate actions is more than 3x the median 10.5 of the last 4 published runs"
        in status.message
    )
    assert "release-brake --run-date 2026-11-15" in status.message
    # no pre-authorised bypass: a release before the trip is recorded is refused
    with pytest.raises(ValueError, match="has not tripped for 2026-11-15"):
        rules.release_brake(con, RUN, "alice", "campaign against a known farm")
    rules.record_brake_trip(con, RUN, status)
    rules.release_brake(con, RUN, "alice", "campaign against a known farm")
    released = _brake(con)
    assert released.tripped and released.released and not released.blocks
    assert "released by alice" in released.message
    (trip,) = con.execute("select tripped_at from brake_trips where run_date = ?", [RUN]).fetchone()
    assert con.execute(
        "select tripped_at from brake_releases where run_date = ?", [RUN]
    ).fetchone() == (trip,)


def test_a_release_for_a_date_whose_brake_never_tripped_is_refused(con):
    rules.ensure_tables(con)
    with pytest.raises(ValueError, match="nothing to release"):
        rules.release_brake(con, RUN, "mallory", "just in case")
    assert con.execute("select count(*) from brake_releases").fetchone() == (0,)


def test_brake_needs_history_and_a_minimum_size(con):
    for i in range(30):
        score(con, f"a{i}", 0.97, 0.01, "terminate")
    _publish_history(con, [1, 1])  # too little history
    rules.decide(con, RUN, override_days=28)
    assert not _brake(con).tripped
    assert not _brake(con, min_history=2, min_terminate=50).tripped  # 30 < min_terminate
    assert _brake(con, min_history=2).tripped


def test_brake_trips_when_the_score_distribution_shifts(con):
    for i in range(200):
        score(con, f"a{i}", 0.05, 0.05, None, run="2026-11-14")
        score(con, f"a{i}", 0.45, 0.05, None)
    _publish_history(con, [])
    con.execute("insert into publications values (date '2026-11-14', 0, 0, 0, '3', now())")
    rules.decide(con, RUN, override_days=28)
    status = _brake(con)
    assert status.tripped and status.score_psi > 1
    assert "distribution shifted since 2026-11-14" in status.message


def test_compliance_metric_arithmetic(con):
    # Today's list: 3 terminated (one user-reported before), 1 warned by a moderator; 1 queued.
    score(con, "t1", 0.99, 0.0, "terminate")
    score(con, "t2", 0.98, 0.0, "terminate")
    score(con, "t3", 0.97, 0.0, "terminate")
    score(con, "w1", 0.1, 0.5, None)
    score(con, "q1", 0.6, 0.1, "review")
    score(con, "p1", 0.01, 0.01, None)
    review(
        con, "t3", "ai_managed", 2, source="user_report"
    )  # older than... within window: overrides to terminate
    review(con, "w1", "ai_assisted", 13)
    # Random audits in the window: 1 of 4 ai_managed.
    for acc, verdict in (("p1", "human"), ("x1", "human"), ("x2", "human"), ("x3", "ai_managed")):
        review(con, acc, verdict, 14)
    # t1 was already on a published list on the 14th: continuing; audited after that.
    rules.ensure_tables(con)
    con.execute(
        "insert into enforcement_list values ('t1', 'terminate', 0.99, 0, 'r', '3', date '2026-11-14', 'model')"
    )
    con.execute("insert into publications values (date '2026-11-14', 1, 0, 0, '3', now())")
    review(con, "t1", "ai_managed", 15)
    # Appeals: 2 terminate appeals decided (1 upheld, 1 overturned), 1 pending.
    appeal(con, "z1", "upheld", 3, 4)
    appeal(con, "z2", "overturned", 3, 5)
    appeal(con, "z3", "pending", 6, None)
    # Posts: 4 marked (3 labelled), 1 labelled only; t1 posts twice unmarked.
    posts = [
        ("z1", True, True),
        ("z1", True, True),
        ("z2", True, True),
        ("z2", False, True),
        ("z3", True, False),
        ("t1", False, False),
        ("t1", None, None),
    ]
    for i, (acc, label, marker) in enumerate(posts):
        con.execute(
            "insert into stg_activity__events values (?, ?, ?, 'post', ?, ?, ?)",
            [f"e{i}", acc, ts(14), label, marker, D],
        )
    con.execute(
        "insert into raw.deliveries values ('events', ?, 10, 8, 2, null), ('events', ?, 5, 5, 0, null), "
        "('events', ?, null, 0, 0, 'unreadable')",
        [D, D, D],
    )
    con.execute(
        "insert into raw.landing_entries values ('events/dt=2026-13-45', null, 'delivery'), "
        "('events/_SUCCESS', null, 'file')"
    )
    rules.decide(con, RUN, override_days=28)
    rules.compute_compliance_metrics(con, RUN, window_days=28, model_version="3", policy=None)
    m = dict(
        con.execute(
            "select metric, value from compliance_metrics where run_date = ?", [D]
        ).fetchall()
    )
    assert m["accounts_actioned_terminate"] == 3
    # the audited x1-x3 were never described by an accounts delivery (x3's ai_managed
    # verdict waits): counted, not acted on
    assert m["reviewed_accounts_unknown"] == 3
    assert m["accounts_actioned_warn_and_limit"] == 1
    assert m["accounts_actioned_continuing"] == 1 and m["accounts_actioned_new"] == 3
    assert m["proactive_rate"] == pytest.approx(3 / 4)
    assert m["review_queue_size"] == 1
    # t2 by the model alone; t1 (audited today), t3 and w1 by moderators; q1 queued.
    assert m["decisions_automated_share"] == pytest.approx(1 / 5)
    assert m["decisions_via_review_share"] == pytest.approx(4 / 5)
    # Random audits in the window: p1, x1, x2, x3, w1, t1; ai_managed: x3, t1.
    assert m["prevalence_ai_managed_estimate"] == pytest.approx(2 / 6)
    assert m["appeals_filed"] == 3 and m["appeals_upheld"] == 1 and m["appeals_overturned"] == 1
    assert m["appeals_pending"] == 1 and m["accounts_restored_after_appeal"] == 1
    assert m["terminate_precision_appeals_estimate"] == pytest.approx(0.5)
    assert m["appeal_decision_median_hours"] == pytest.approx(36.0)  # 24 h and 48 h
    assert m["terminate_precision_audit_estimate"] == pytest.approx(1.0)
    assert m["terminate_audit_sample_size"] == 1
    assert m["posts_with_ai_marker"] == 4
    assert m["ai_marker_posts_labelled_share"] == pytest.approx(3 / 4)
    assert m["ai_labelled_posts_with_marker_share"] == pytest.approx(3 / 4)
    assert m["suspected_ai_posts_unmarked"] == 2
    assert m["rows_landed_events"] == 15 and m["rows_quarantined_events"] == 2
    assert (m["deliveries_rejected"], m["files_rejected"], m["landing_entries_refused"]) == (
        1,
        1,
        1,
    )
    assert m["model_version"] == 3


def test_snapshot_rewrite_is_atomic(tmp_path, monkeypatch):
    listed = pd.DataFrame(
        {
            "account_id": ["a"],
            "action": ["terminate"],
            "score_ai_managed": [0.9],
            "score_ai_assisted": [0.05],
            "reasons": ["x"],
            "model_version": ["1"],
            "run_date": [D],
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
        {
            "run_date": [D],
            "metric": ["accounts_actioned_total"],
            "value": [1.0],
            "description": ["d"],
        }
    )
    history = metrics.loc[:, ["run_date", "metric", "value"]]
    labelling = pd.DataFrame(
        {"day": [D], "marker_posts": [3], "marker_posts_labelled_share": [0.5]}
    )
    folder = write_snapshot(tmp_path, RUN, listed, queue, metrics, history, labelling)
    first = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert set(first) == {
        "enforcement_list.parquet",
        "enforcement_list.csv",
        "review_queue.parquet",
        "review_queue.csv",
        "compliance_metrics.parquet",
        "compliance_metrics.csv",
        "report.html",
    }

    from realpeople.defs.publish import files

    def broken(*args, **kwargs):
        raise RuntimeError("killed while rendering")

    monkeypatch.setattr(files, "render_report", broken)
    changed = listed.assign(action="warn_and_limit")
    with pytest.raises(RuntimeError):
        write_snapshot(tmp_path, RUN, changed, queue, metrics, history, labelling)
    # The published folder is exactly the first one; no temporary folder is left behind.
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == first
    assert sorted(p.name for p in Path(tmp_path).iterdir()) == [".versions", RUN]
    assert len(list((tmp_path / ".versions").iterdir())) == 1
    monkeypatch.undo()
    write_snapshot(tmp_path, RUN, changed, queue, metrics, history, labelling)
    assert pd.read_csv(folder / "enforcement_list.csv")["action"].tolist() == ["warn_and_limit"]
    assert sorted(p.name for p in Path(tmp_path).iterdir()) == [".versions", RUN]
    assert len(list((tmp_path / ".versions").iterdir())) == 1  # the superseded version is gone


def test_terminations_held_by_the_guard_queue_with_their_own_reason(con):
    from realpeople.vocabulary import QUEUE_REASONS

    # account_scores after the guard tripped: the bar was 0.8, terminate became review
    score(con, "held", 0.97, 0.02, "review")
    score(con, "unsure", 0.6, 0.1, "review")
    score(con, "verdict_bot", 0.95, 0.02, "review")
    review(con, "verdict_bot", "ai_managed", 10)  # a moderator's verdict still acts
    rules.decide(con, RUN, override_days=28, terminate_held_from=0.8)
    listed = dict(con.execute("select account_id, action from enforcement_list").fetchall())
    queued = dict(con.execute("select account_id, queue_reason from review_queue").fetchall())
    assert listed == {"verdict_bot": "terminate"}
    assert queued == {
        "held": QUEUE_REASONS["terminate_held"],
        "unsure": QUEUE_REASONS["uncertain_score"],
    }


def clusters(con, members, cluster="c1", is_ring=False, size=None, ties=None):
    """Members (account, tied_to_actioned) of one coordination cluster of the run date,
    each tied to every other member unless ``ties`` says otherwise."""
    con.execute(
        "create table if not exists coordination_clusters (run_date date, cluster_id varchar, "
        "account_id varchar, cluster_size bigint, ties bigint, is_ring boolean, "
        "tied_to_actioned boolean, evidence varchar)"
    )
    for account, tied in members:
        con.execute(
            "insert into coordination_clusters values (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                RUN,
                cluster,
                account,
                size or len(members),
                (ties or {}).get(account, len(members) - 1),
                is_ring,
                tied,
                "kept the same 3 daily slots",
            ],
        )


def test_ring_members_tied_to_actioned_accounts_go_to_a_moderator_never_to_an_action(con):
    from realpeople.vocabulary import QUEUE_REASONS

    clusters(
        con,
        [("ring_bot", True), ("ring_warned", True), ("ring_person", True), ("ring_done", False)],
    )
    con.execute(
        "insert into coordination_clusters values ('2026-11-14', 'c0', 'yesterday', 4, 3, false, true, 'x')"
    )
    score(con, "ring_bot", 0.4, 0.1, "review")
    score(con, "ring_warned", 0.2, 0.7, "warn_and_limit")
    score(con, "ring_person", 0.01, 0.02, None)
    review(con, "ring_person", "human", 12)  # a moderator's verdict wins over a tie
    score(con, "ring_done", 0.98, 0.01, "terminate")
    score(con, "yesterday", 0.01, 0.02, None)  # tied on another run date only
    listed, queued = decisions(con)
    assert listed == {"ring_warned": "warn_and_limit", "ring_done": "terminate"}
    assert queued == {"ring_bot": QUEUE_REASONS["tied_to_actioned"]}


def ring_decisions(con, min_size=3, held_from=None, min_score=1.0):
    counts = rules.decide(
        con,
        RUN,
        override_days=28,
        terminate_held_from=held_from,
        ring_evidence_min_size=min_size,
        ring_evidence_min_score=min_score,
    )
    listed = dict(con.execute("select account_id, action from enforcement_list").fetchall())
    queued = dict(con.execute("select account_id, queue_reason from review_queue").fetchall())
    return counts, listed, queued


def test_ring_evidence_terminates_the_uncertain_band_of_a_ring_and_says_so(con):
    from realpeople.vocabulary import QUEUE_REASONS

    clusters(con, [("a", False), ("b", False), ("c", False)], is_ring=True)
    clusters(con, [("pair1", False), ("pair2", False)], cluster="c2", is_ring=True)  # too small
    clusters(con, [("big1", False), ("big2", False), ("big3", False)], cluster="c3")  # no ring
    # a ring of 4 where "hanger" is tied to one member only (a person liking a bot's posts)
    clusters(
        con,
        [("r1", False), ("r2", False), ("r3", False), ("hanger", False)],
        cluster="c4",
        is_ring=True,
        ties={"r1": 3, "r2": 2, "r3": 2, "hanger": 1},
    )
    score(con, "hanger", 0.6, 0.1, "review")
    score(con, "a", 0.9, 0.05, "review")  # unsure, in a ring of 3: terminated on the ring
    score(con, "b", 0.99, 0.0, "terminate")  # already terminated by the bar
    score(con, "c", 0.3, 0.6, "warn_and_limit")  # below the band: keeps its own action
    for account in ("pair1", "big1"):
        score(con, account, 0.9, 0.05, "review")
    counts, listed, queued = ring_decisions(con)
    assert listed == {"a": "terminate", "b": "terminate", "c": "warn_and_limit"}
    assert queued == {
        "pair1": QUEUE_REASONS["uncertain_score"],
        "big1": QUEUE_REASONS["uncertain_score"],
        "hanger": QUEUE_REASONS["uncertain_score"],
    }
    assert counts["ring_evidence"] == 1 and counts["ring_people"] == 0
    reasons, by = con.execute(
        "select reasons, decided_by from enforcement_list where account_id = 'a'"
    ).fetchone()
    assert reasons.startswith("member of a coordination ring of 3 accounts: kept the same")
    assert by == "model"
    assert con.execute("select acted, terminated from ring_evidence").fetchone() == (True, 1)
    # off (size 0): the ring member queues like any uncertain score
    counts, listed, queued = ring_decisions(con, min_size=0)
    assert "a" not in listed and queued["a"] == QUEUE_REASONS["uncertain_score"]
    assert con.execute("select acted, terminated from ring_evidence").fetchone() == (False, 0)


def test_ring_evidence_reaches_below_the_band_down_to_its_floor(con):
    """Seed 202: 598 of 600 stealth accounts in rings, most scored below the review band
    (0.722), so ring evidence could not act; none of the ring members tied to two of
    their ring was a person, on five worlds, down to a score of 0.1. With a floor the
    ring acts on members the model proposes nothing for, scored at or above it; never
    on one it warns (its own action stands), and a reviewed person at or above the floor
    stands the ring down."""
    clusters(con, [("low", False), ("under", False), ("warned", False)], is_ring=True)
    score(con, "low", 0.45, 0.05, None)  # below the band, above the floor
    score(con, "under", 0.2, 0.05, None)  # below the floor
    score(con, "warned", 0.4, 0.5, "warn_and_limit")  # the model's own action
    counts, listed, _ = ring_decisions(con)  # the band only (floor 1.0)
    assert listed == {"warned": "warn_and_limit"} and counts["ring_evidence"] == 0
    counts, listed, queued = ring_decisions(con, min_score=0.3)
    assert listed == {"low": "terminate", "warned": "warn_and_limit"}
    assert counts["ring_evidence"] == 1 and queued == {}
    # a reviewed person in the ring scored above the floor: the ring stands down
    clusters(con, [("p", False)], cluster="c1", is_ring=True, size=4, ties={"p": 2})
    score(con, "p", 0.35, 0.05, None)
    review(con, "p", "human", 12)
    counts, listed, queued = ring_decisions(con, min_score=0.3)
    assert listed == {"warned": "warn_and_limit"} and counts["ring_people"] == 1
    assert counts["ring_evidence"] == 0 and queued == {}
    # the same person scored below the floor is not one ring evidence would take
    con.execute("update account_scores set score_ai_managed = 0.25 where account_id = 'p'")
    counts, listed, queued = ring_decisions(con, min_score=0.3)
    assert listed == {"low": "terminate", "warned": "warn_and_limit"}
    assert counts["ring_people"] == 0 and queued == {}


def test_ring_evidence_stands_down_for_a_reviewed_person_and_yields_to_a_verdict(con):
    from realpeople.vocabulary import QUEUE_REASONS

    clusters(con, [("a", False), ("b", False), ("verdict_person", False)], is_ring=True)
    score(con, "a", 0.9, 0.05, "review")
    score(con, "b", 0.92, 0.05, "review")
    score(con, "verdict_person", 0.95, 0.0, "review")
    review(con, "verdict_person", "human", 12)
    # another ring, with no reviewed person in it
    clusters(con, [("o1", False), ("o2", False), ("o3", False)], cluster="c9", is_ring=True)
    score(con, "o1", 0.9, 0.05, "review")
    counts, listed, queued = ring_decisions(con)
    # a reviewed person the band would take sits in a ring: that ring does not act; the
    # other ring does (one flipped verdict must not stop every ring)
    assert listed == {"o1": "terminate"} and counts["ring_people"] == 1
    assert counts["ring_evidence"] == 1
    assert queued == {"a": QUEUE_REASONS["uncertain_score"], "b": QUEUE_REASONS["uncertain_score"]}
    # a reviewed person in a second ring: the rings' bar lets people through, none acts
    score(con, "o2", 0.9, 0.05, "review")
    review(con, "o2", "human", 12)
    counts, listed, queued = ring_decisions(con)
    assert listed == {} and counts["ring_people"] == 2 and counts["ring_evidence"] == 0
    assert con.execute("select acted from ring_evidence").fetchone() == (False,)
    # (the second ring gone again, for what follows)
    con.execute("delete from coordination_clusters where cluster_id = 'c9'")
    con.execute("delete from account_scores where account_id in ('o1', 'o2')")
    con.execute("delete from stg_activity__reviews where account_id = 'o2'")
    # the person turns out automation (a later verdict): ring evidence acts on the others,
    # the verdict acts on its own account
    review(con, "verdict_person", "ai_managed", 13)
    counts, listed, queued = ring_decisions(con)
    assert listed == {"a": "terminate", "b": "terminate", "verdict_person": "terminate"}
    assert counts["ring_evidence"] == 2
    by = dict(con.execute("select account_id, decided_by from enforcement_list").fetchall())
    assert by["verdict_person"] == "moderator"
    # the terminate guard judges the model's bar, not the ring: held terminations in a
    # ring are terminated on the ring; held ones outside any ring still queue as held
    score(con, "held_alone", 0.97, 0.01, "review")
    counts, listed, queued = ring_decisions(con, held_from=0.8)
    assert listed == {"a": "terminate", "b": "terminate", "verdict_person": "terminate"}
    assert queued == {"held_alone": QUEUE_REASONS["terminate_held"]}
