"""ml.coordination: clusters from co-activity edges, and what a cluster says of its members."""

import numpy as np
import pandas as pd
import pytest

from realpeople.ml.coordination import cluster_features, clusters, human_edge_bar


def _world(seed=0):
    """Two rings of 6 accounts that coincide often with each other, and 200 people whose
    pairs coincide now and then (a busy evening, a viral post)."""
    rng = np.random.default_rng(seed)
    people = [f"p{i:03d}" for i in range(200)]
    rings = [[f"r{k}_{i}" for i in range(6)] for k in range(2)]
    rows = []
    for _ in range(600):
        a, b = sorted(rng.choice(people, 2, replace=False))
        rows.append((a, b, float(rng.poisson(1.0))))
    for ring in rings:
        for i, a in enumerate(ring):
            for b in ring[i + 1 :]:
                rows.append((a, b, float(rng.integers(8, 15))))
    rows.append(("p000", rings[0][0], 2.0))  # one ordinary coincidence with a ring member
    edges = pd.DataFrame(rows, columns=["account_a", "account_b", "weight"])
    edges = edges.groupby(["account_a", "account_b"], as_index=False)["weight"].sum()
    verdicts = pd.Series(
        {
            **{p: "human" for p in people[:120]},
            rings[0][0]: "ai_managed",
            rings[0][1]: "ai_managed",
            rings[1][0]: "human",
        }
    )
    return edges, verdicts, rings


def test_rings_form_clusters_people_do_not():
    edges, verdicts, rings = _world()
    # the heaviest coincidence seen between two reviewed people is the bar
    bar = human_edge_bar(edges, verdicts)
    human_pairs = edges[edges.account_a.str.startswith("p") & edges.account_b.str.startswith("p")]
    assert 1.0 < bar < human_pairs["weight"].max() + 1e-9
    found = clusters(edges, bar)
    for ring in rings:
        assert found.loc[ring].nunique() == 1 and len(found.reindex(ring).dropna()) == 6
    assert found.loc[rings[0][0]] != found.loc[rings[1][0]]
    people = found.index[found.index.str.startswith("p")]
    assert len(people) <= 0.05 * 200  # unreviewed people pairs can pass
    assert "p000" not in found.index or found["p000"] != found[rings[0][0]]


def test_cluster_features_leave_out_the_accounts_own_verdict():
    edges, verdicts, rings = _world()
    found = clusters(edges, human_edge_bar(edges, verdicts))
    steady = pd.Series(0.9, index=found.index)
    feats = cluster_features(found, verdicts, steady)
    first = feats.loc[rings[0]]
    assert (first["cluster_size"] == 6).all()
    # two of six confirmed: each confirmed member sees 1 of its 5 others, the rest 2 of 5
    assert first.loc[rings[0][0], "cluster_confirmed_share"] == pytest.approx(1 / 5)
    assert first.loc[rings[0][2], "cluster_confirmed_share"] == pytest.approx(2 / 5)
    assert (
        feats.loc[rings[1], "cluster_confirmed_share"] == 0
    ).all()  # a human verdict confirms nothing
    assert (feats["cluster_steadiness"] == 0.9).all()


def test_no_edge_above_the_bar_means_no_cluster():
    edges = pd.DataFrame({"account_a": ["a"], "account_b": ["b"], "weight": [1.0]})
    assert clusters(edges, bar=1.0).empty
    assert human_edge_bar(edges, pd.Series({"a": "human", "b": "human"}), floor=3.0) == 3.0


def test_the_bar_learns_from_people_s_ties_to_anyone_when_no_two_reviewed_people_meet():
    """Seed 88's failure: with a few hundred reviews no two reviewed people share an edge,
    yet reviewed people do coincide with others. The bar comes from those ties, so the
    people's chain of light coincidences is not one giant cluster swallowing the rings; a
    ring member with a (flipped) human verdict does not lift the bar over every ring."""
    rng = np.random.default_rng(11)
    people = [f"p{i:03d}" for i in range(300)]
    rows = [(people[i], people[i + 1], 2.0) for i in range(299)]  # a chain of light ties
    rows += [(people[i], people[i + 3], float(rng.integers(2, 4))) for i in range(0, 297, 2)]
    rings = [[f"r{k}_{i}" for i in range(8)] for k in range(3)]
    for ring in rings:
        rows += [
            (a, b, float(rng.integers(8, 15))) for i, a in enumerate(ring) for b in ring[i + 1 :]
        ]
    rows.append((rings[0][0], people[5], 2.0))
    edges = pd.DataFrame(rows, columns=["account_a", "account_b", "weight"])
    # reviewed people every 10th account: none of them tied to another reviewed person
    reviewed = people[::10]
    both = edges.account_a.isin(reviewed) & edges.account_b.isin(reviewed)
    assert not both.any()
    verdicts = pd.Series(
        {**{p: "human" for p in reviewed}, rings[1][0]: "human", rings[2][0]: "ai_managed"}
    )
    verdicts = pd.concat([verdicts, pd.Series({f"x{i}": "ai_managed" for i in range(40)})])
    bar = human_edge_bar(edges, verdicts, label_noise=0.02)
    heaviest_person = edges[edges.account_a.str.startswith("p")]["weight"].max()
    assert 2.0 <= bar <= heaviest_person < 8
    found = clusters(edges, bar)
    assert found.value_counts().max() == 8  # the rings, and no giant component of people
    for ring in rings:
        assert found.reindex(ring).nunique() == 1 and found.reindex(ring).notna().all()
    # with no flip allowance the ring member reviewed "human" sets the bar: no ring is found
    assert (
        clusters(edges, human_edge_bar(edges, verdicts, label_noise=0.0))
        .reindex(rings[0])
        .isna()
        .all()
    )


def test_cluster_table_ties_unactioned_ring_members_to_actioned_ones():
    from realpeople.ml.coordination import cluster_table

    edges, verdicts, rings = _world()
    ring0, ring1 = rings
    # the model terminates two more of ring 0 (two are confirmed by verdict): 4 of 6 actioned
    terminated = pd.Series(True, index=ring0[2:4])
    steadiness = pd.Series({a: 0.9 for a in ring0 + ring1})  # people: no steadiness known
    activity = pd.DataFrame(
        {"first_activity": pd.Timestamp("2026-11-02"), "last_activity": pd.Timestamp("2026-11-15")},
        index=ring0 + ring1,
    )
    table = cluster_table(edges, verdicts, terminated, steadiness, activity)
    assert not table.duplicated(["cluster_id", "account_id"]).any()
    by_account = table.set_index("account_id")
    assert set(by_account.loc[ring0, "cluster_id"]) == {min(ring0)}
    assert (by_account.loc[ring0 + ring1, "is_ring"]).all()
    # ring 0's two unactioned members are tied (4 of their 5 others actioned)...
    tied = set(by_account.index[by_account["tied_to_actioned"]])
    assert tied == set(ring0[4:])
    assert by_account.loc[ring0[4], "actioned_share"] == pytest.approx(4 / 5)
    # ...ring 1 is a ring nobody acted on, and no person is tied to anything
    assert not by_account.loc[ring1, "tied_to_actioned"].any()
    assert (
        not by_account.index.str.startswith("p").any()
        or not by_account.loc[by_account.index.str.startswith("p"), "tied_to_actioned"].any()
    )
    assert by_account.loc[ring0[4], "evidence"].startswith("engaged the same targets")
    assert by_account.loc[ring0[0], "last_activity"] == pd.Timestamp("2026-11-15")
    # one moderator-confirmed member speaks for its ring: the others are tied
    confirmed = pd.concat([verdicts, pd.Series({ring1[1]: "ai_managed"})])
    confirmed = confirmed[~confirmed.index.duplicated(keep="last")]
    again = cluster_table(edges, confirmed, terminated, steadiness).set_index("account_id")
    assert set(again.index[again["tied_to_actioned"]]) == set(ring0[4:]) | set(ring1[2:]) | {
        ring1[0]
    }
    # no edge above the bar: an empty table with the same columns, not an error
    empty = cluster_table(edges.assign(weight=0.0), verdicts, terminated, steadiness)
    assert empty.empty and list(empty.columns) == list(table.columns)


def test_review_requests_ask_where_the_model_is_unsure_and_keep_the_audit_random():
    from realpeople.ml.active import RANDOM_AUDIT, RING_UNCOVERED, UNCERTAIN, review_requests

    rng = np.random.default_rng(3)
    n = 400
    managed = rng.uniform(0, 1, n)
    scores = pd.DataFrame(
        {
            "account_id": [f"a{i:03d}" for i in range(n)],
            "score_ai_managed": managed,
            "score_ai_assisted": 0.0,
            "score_human": 1 - managed,
        }
    )
    rings = pd.DataFrame(
        {
            "account_id": ["a000", "a001", "a002", "a003"],
            "cluster_id": ["a000"] * 2 + ["a002"] * 2,
            "is_ring": True,
        }
    )
    asked = review_requests(
        scores, n_model=10, n_random=30, reviewed={"a003", "a100"}, rings=rings, seed=1
    )
    assert not asked.duplicated(["account_id", "request_reason"]).any()
    assert "a003" not in set(asked["account_id"]) and "a100" not in set(asked["account_id"])
    model = asked[asked["request_reason"] != RANDOM_AUDIT]
    assert len(model) == 10 and (asked["request_reason"] == RANDOM_AUDIT).sum() == 30
    # the ring with no reviewed member is asked once, first; a002's ring is covered by a003
    assert model.iloc[0]["request_reason"] == RING_UNCOVERED
    assert set(model.loc[model["request_reason"] == RING_UNCOVERED, "account_id"]) <= {
        "a000",
        "a001",
    }
    assert (model["request_reason"] == RING_UNCOVERED).sum() == 1
    # uncertainty: the model requests sit near 0.5, far nearer than the random audit
    uncertain = scores.set_index("account_id").loc[
        model.loc[model["request_reason"] == UNCERTAIN, "account_id"]
    ]
    audit = scores.set_index("account_id").loc[
        asked.loc[asked["request_reason"] == RANDOM_AUDIT, "account_id"]
    ]
    assert (uncertain["score_ai_managed"] - 0.5).abs().max() < 0.05
    assert (audit["score_ai_managed"] - 0.5).abs().mean() > 0.15


def test_review_requests_do_not_depend_on_row_order():
    from realpeople.ml.active import review_requests

    rng = np.random.default_rng(5)
    managed = rng.uniform(0, 1, 300)
    scores = pd.DataFrame(
        {
            "account_id": [f"a{i:03d}" for i in range(300)],
            "score_ai_managed": managed,
            "score_ai_assisted": 0.0,
            "score_human": 1 - managed,
        }
    )
    once = review_requests(scores, 10, 20, seed=7)
    shuffled = review_requests(scores.sample(frac=1, random_state=1), 10, 20, seed=7)
    pd.testing.assert_frame_equal(once, shuffled)


def _with_breadth(edges: pd.DataFrame, rings) -> pd.DataFrame:
    """The targets each account engaged: ring members 20 (their ring shares most of them),
    people 60 (a few shared with each of many accounts)."""
    members = {a for ring in rings for a in ring}

    def breadth(account):
        return 20.0 if account in members else 60.0

    return edges.assign(
        targets_a=edges["account_a"].map(breadth), targets_b=edges["account_b"].map(breadth)
    )


def test_structural_features_find_rings_and_read_no_label():
    """The model's cluster features: the rings of the world are rings, people are not, and
    the function takes no verdict, score or action (a label cannot leak through it)."""
    import inspect

    from realpeople.ml.coordination import CLUSTER_FEATURE_COLUMNS, structural_features

    edges, _, rings = _world()
    edges = _with_breadth(edges, rings)
    # a power user: heavy coincidences with many people, each a small share of its 400 targets
    power = pd.DataFrame(
        {"account_a": "a_power", "account_b": [f"p{i:03d}" for i in range(30)], "weight": 9.0}
    ).assign(targets_a=400.0, targets_b=60.0)
    edges = pd.concat([edges, power], ignore_index=True)
    accounts = pd.Index(sorted(set(edges.account_a) | set(edges.account_b) | {"loner"}))
    steady = pd.Series(0.2, index=accounts)
    ring_members = [a for ring in rings for a in ring]
    steady[ring_members] = 0.9
    feats = structural_features(edges, steady, window_days=7)
    assert list(feats.columns) == list(CLUSTER_FEATURE_COLUMNS)
    assert feats.index.equals(accounts)  # one row per account of the snapshot
    assert (feats.loc[ring_members, "cluster_is_ring"] == 1).all()
    assert (feats.loc[ring_members, "cluster_size"] == 6).all()
    assert (feats.loc[ring_members, "cluster_ties"] == 5).all()
    assert np.allclose(feats.loc[ring_members, "cluster_steadiness"], 0.9)
    assert (feats.loc[ring_members, "cotarget_strongest_share"] >= 0.4).all()
    people = feats[feats.index.str.startswith("p") | (feats.index == "a_power")]
    # no person in a ring; a rare heavy coincidence may pair two of the 200 people
    assert (people["cluster_is_ring"] == 0).all() and (people["cluster_size"] > 1).sum() <= 4
    assert feats.loc["a_power", "cluster_size"] == 1
    assert feats.loc["a_power", "cotarget_strongest_tie_per_week"] == 9.0
    assert feats.loc["a_power", "cotarget_strongest_share"] == pytest.approx(9 / 400)
    assert feats.loc["loner"].to_dict() == {
        "cotarget_strongest_share": 0.0,
        "cotarget_strongest_tie_per_week": 0.0,
        "cluster_size": 1.0,
        "cluster_ties": 0.0,
        "cluster_steadiness": pytest.approx(np.nan, nan_ok=True),
        "cluster_is_ring": 0.0,
        "text_company_shared_share": pytest.approx(np.nan, nan_ok=True),
    }
    assert set(inspect.signature(structural_features).parameters) == {
        "edges",
        "steadiness",
        "window_days",
        "text_company",
    }
    company = pd.Series({"loner": 0.2, "nobody_here": 0.9})
    with_company = structural_features(edges, steady, 7, company)
    assert with_company.loc["loner", "text_company_shared_share"] == 0.2
    assert with_company["text_company_shared_share"].notna().sum() == 1


def test_structural_features_do_not_grow_with_the_window():
    """A training snapshot holds 7 days, the scored one 14: the same coincidences at the
    same weekly rate must give the same features, or trees learn a bar that the longer
    window crosses for people (the drift that terminated people on seed 8)."""
    from realpeople.ml.coordination import structural_features

    edges, _, rings = _world()
    edges = _with_breadth(edges, rings)
    accounts = pd.Index(sorted(set(edges.account_a) | set(edges.account_b)))
    steady = pd.Series(0.5, index=accounts)
    week = structural_features(edges, steady, window_days=7)
    doubled = edges.assign(
        weight=edges["weight"] * 2,
        targets_a=edges["targets_a"] * 2,
        targets_b=edges["targets_b"] * 2,
    )
    fortnight = structural_features(doubled, steady, window_days=14)
    pd.testing.assert_frame_equal(week, fortnight)
    assert (week["cluster_size"] == 6).sum() == 12


def test_the_features_step_replaces_a_date_and_degrades_without_the_graph(tmp_path):
    """write_cluster_features: a ring's rows for the date (one per account of the
    snapshot); a re-run replaces them; without the co-targeting view, or on another
    engine, the date is left without rows (the model reads them as missing), never fails."""
    import duckdb

    from realpeople.defs.features.clustered import write_cluster_features

    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    ring = ["r1", "r2", "r3"]
    con.execute(
        "create table account_features (run_date date, account_id varchar, session_slot_repeat_share double)"
    )
    for account in [*ring, "person"]:
        con.execute(
            "insert into account_features values ('2026-11-15', ?, ?)",
            [account, 0.9 if account in ring else 0.1],
        )
    # Events on 7 days of the 28-day window of 2026-11-15; one more day only through an
    # event delivered after the run date, and one before the window: neither counts.
    con.execute("create schema raw")
    con.execute(
        "create table raw.events as "
        "select timestamp '2026-11-09 10:00' + to_days(d) as event_ts, "
        "date '2026-11-15' as _delivery_date from range(7) t(d) "
        "union all select timestamp '2026-11-03 10:00', date '2026-11-16' "
        "union all select timestamp '2026-10-18 23:59', date '2026-10-19'"
    )
    write_cluster_features(con, "2026-11-15", 28)  # no view yet: degrades
    assert con.execute("select count(*) from account_cluster_features").fetchone()[0] == 0
    con.execute(
        "create view int_account_pairs_cotargeted as select * from (values "
        "('r1', 'r2', 9, 12, 12), ('r1', 'r3', 8, 12, 10), ('r2', 'r3', 9, 12, 10), "
        "('person', 'r1', 3, 300, 12)) t(account_a, account_b, weight, targets_a, targets_b)"
    )
    done = write_cluster_features(con, "2026-11-15", 28)
    assert done["accounts"] == 4 and done["ring_accounts"] == 3 and done["window_days"] == 7
    write_cluster_features(con, "2026-11-15", 28)  # a re-run replaces, never appends
    rows = dict(
        con.execute("select account_id, cluster_is_ring from account_cluster_features").fetchall()
    )
    assert rows == {"r1": 1.0, "r2": 1.0, "r3": 1.0, "person": 0.0}
    # a Spark build: the DuckDB view is an earlier build's, so nothing is read from it
    assert write_cluster_features(con, "2026-11-15", 28, in_duckdb=False)["accounts"] == 0
    assert con.execute("select count(*) from account_cluster_features").fetchone()[0] == 0
