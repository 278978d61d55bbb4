"""Threshold policy: precision targets, label-noise allowance, tiers."""

import numpy as np
import pandas as pd
import pytest

from realpeople.ml.policy import (
    Policy,
    choose_policy,
    decide_actions,
    lowest_threshold_with_precision,
)

# The rules that choose the bar on one sample of verdicts, tested without the resampling
# that can raise it afterwards (off by default; see
# test_the_terminate_bar_holds_in_most_resamples_of_the_verdicts).
ONE_SAMPLE = {"bar_confidence": 0.0}


def test_lowest_threshold_meets_precision_and_prefers_recall():
    score = np.array([0.99, 0.98, 0.97, 0.90, 0.80, 0.70, 0.60, 0.40])
    positive = np.array([1, 1, 1, 1, 0, 1, 0, 0], dtype=bool)
    # Precision 1.0 holds down to 0.90 (4 flagged); adding 0.80 drops it to 0.8.
    assert lowest_threshold_with_precision(positive, score, 1.0, floor=0.0, min_flagged=1) == 0.90
    # A target of 0.8 admits the threshold 0.70 (5 of 6 flagged are positive).
    assert lowest_threshold_with_precision(positive, score, 0.8, floor=0.0, min_flagged=1) == 0.70
    # The floor is respected even where precision would allow a lower cut.
    assert lowest_threshold_with_precision(positive, score, 0.8, floor=0.75, min_flagged=1) == 0.80


def test_ties_are_flagged_together():
    score = np.array([0.9, 0.9, 0.9, 0.1])
    positive = np.array([1, 1, 0, 0], dtype=bool)
    # Cutting between tied scores is impossible: 0.9 flags all three (precision 2/3).
    assert lowest_threshold_with_precision(positive, score, 0.9, floor=0.0, min_flagged=1) is None


def _heldout(n=2000, noise=0.0, seed=0):
    rng = np.random.default_rng(seed)
    truth = rng.choice(["human", "ai_assisted", "ai_managed"], size=n, p=[0.7, 0.15, 0.15])
    managed = np.where(truth == "ai_managed", rng.uniform(0.6, 1.0, n), rng.uniform(0.0, 0.5, n))
    assisted = np.where(truth == "ai_assisted", rng.uniform(0.5, 0.9, n), rng.uniform(0.0, 0.3, n))
    assisted = np.minimum(assisted, 1 - managed)
    labels = truth.copy()
    flip = rng.random(n) < noise
    labels[flip & (truth == "ai_managed")] = "ai_assisted"
    scores = pd.DataFrame({"score_ai_managed": managed, "score_ai_assisted": assisted})
    return pd.Series(labels), scores


def test_noise_free_labels_reach_the_target():
    labels, scores = _heldout()
    policy = choose_policy(labels, scores, terminate_precision=0.99, label_noise=0.0)
    assert policy.target_met
    assert policy.terminate_heldout_precision >= 0.99
    assert policy.terminate_heldout_recall > 0.9


def test_label_noise_allowance_makes_a_noisy_target_reachable():
    labels, scores = _heldout(noise=0.03, seed=1)
    strict = choose_policy(labels, scores, terminate_precision=0.99, label_noise=0.0)
    allowing = choose_policy(labels, scores, terminate_precision=0.99, label_noise=0.03)
    # Flipped verdicts make 0.99 measured precision unreachable for a perfect ranking...
    assert not strict.target_met
    # ...while allowing for them recovers a real threshold with high measured precision.
    assert allowing.target_met
    assert allowing.terminate_heldout_precision >= 0.99 * 0.97
    assert allowing.terminate_threshold >= 0.5


def test_tiers_and_round_trip():
    policy = Policy(
        terminate_threshold=0.8,
        warn_threshold=0.6,
        terminate_precision_target=0.99,
        label_noise=0.02,
        terminate_heldout_precision=0.99,
        terminate_heldout_recall=0.8,
        terminate_heldout_support=50,
        warn_heldout_precision=0.95,
        warn_heldout_recall=0.7,
        target_met=True,
    )
    scores = pd.DataFrame(
        {"score_ai_managed": [0.9, 0.2, 0.1, 0.3], "score_ai_assisted": [0.05, 0.5, 0.1, 0.4]}
    )
    assert decide_actions(scores, policy).tolist() == [
        "terminate",
        "warn_and_limit",
        None,
        "warn_and_limit",
    ]
    # Tags come back from MLflow as strings.
    as_tags = {k: str(v) for k, v in policy.to_dict().items()}
    assert Policy.from_dict(as_tags) == policy


@pytest.mark.parametrize("floor", [0.5, 0.7])
def test_terminate_threshold_never_below_floor(floor):
    labels, scores = _heldout(seed=2)
    policy = choose_policy(labels, scores, min_terminate_threshold=floor)
    assert policy.terminate_threshold >= floor


def test_review_band_sits_between_acting_and_leaving_alone():
    policy = Policy(
        terminate_threshold=0.9,
        warn_threshold=0.8,
        terminate_precision_target=0.99,
        label_noise=0.02,
        terminate_heldout_precision=0.99,
        terminate_heldout_recall=0.8,
        terminate_heldout_support=50,
        warn_heldout_precision=0.95,
        warn_heldout_recall=0.7,
        target_met=True,
        review_managed_threshold=0.5,
        review_any_ai_threshold=0.6,
    )
    scores = pd.DataFrame(
        {
            "score_ai_managed": [0.95, 0.7, 0.1, 0.1, 0.1],
            "score_ai_assisted": [0.0, 0.2, 0.8, 0.55, 0.1],
        }
    )
    assert decide_actions(scores, policy).tolist() == [
        "terminate",
        "review",
        "warn_and_limit",
        "review",
        None,
    ]


def test_policy_records_a_confidence_bound_and_weights_change_precision():
    labels, scores = _heldout(seed=3)
    policy = choose_policy(labels, scores, label_noise=0.0)
    assert 0 < policy.terminate_precision_lower <= policy.terminate_heldout_precision
    assert policy.review_managed_threshold <= policy.terminate_threshold
    # Up-weighting people (the platform has more of them than the review set) can only
    # lower the precision measured at a given threshold.
    weights = np.where(labels.to_numpy() == "human", 5.0, 1.0)
    from realpeople.ml.policy import precision_recall_at

    is_managed = labels.to_numpy() == "ai_managed"
    managed = scores["score_ai_managed"].to_numpy()
    assert (
        precision_recall_at(is_managed, managed, 0.45, weights)[0]
        <= precision_recall_at(is_managed, managed, 0.45)[0]
    )


def test_a_few_flipped_verdicts_at_the_top_fall_back_to_the_best_precise_cut():
    # 64 automation verdicts and 4 others among the top 68 scores, then a clear gap. The
    # two highest others are set aside (ceil(0.02 / 0.98 * 64) = 2 possibly flipped); the
    # best cut then (before the last other: 62 of 64, 0.969) misses 0.99 * 0.98 but
    # clears 0.95.
    score = np.r_[np.linspace(0.98, 0.85, 68), np.linspace(0.05, 0.0, 200)]
    verdicts = np.array(["ai_managed"] * 68 + ["human"] * 200, dtype=object)
    verdicts[[0, 3, 6, 9, 66]] = ["human", "ai_assisted", "human", "ai_assisted", "ai_assisted"]
    scores = pd.DataFrame({"score_ai_managed": score, "score_ai_assisted": np.zeros_like(score)})
    policy = choose_policy(pd.Series(verdicts), scores)
    assert policy.terminate_others_set_aside == 2
    assert not policy.target_met
    assert policy.terminate_threshold == pytest.approx(score[65])
    # The precision reported counts the set-aside verdicts: 62 of the 66 flagged.
    assert policy.terminate_heldout_precision == pytest.approx(62 / 66)
    # A ranking that never reaches 0.95 terminates nobody automatically.
    verdicts[:68:5] = "human"
    assert choose_policy(pd.Series(verdicts), scores).terminate_threshold == 1.0


def test_the_terminate_bar_does_not_rest_on_its_lowest_verdict():
    # Seed 101 in miniature: 40 automation verdicts scored 0.86-0.99, one alone at 0.662,
    # 250 people at or below 0.25. The lowest cut that keeps precision sits on the lone
    # verdict; below the bulk of the positives the platform's rare people wait unseen.
    rng = np.random.default_rng(101)
    managed = np.r_[np.linspace(0.99, 0.86, 40), 0.662, rng.uniform(0.0, 0.25, 250)]
    verdicts = pd.Series(["ai_managed"] * 41 + ["human"] * 250)
    scores = pd.DataFrame({"score_ai_managed": managed, "score_ai_assisted": 0.0})
    plain = choose_policy(verdicts, scores, label_noise=0.0, **ONE_SAMPLE)
    assert plain.terminate_threshold == pytest.approx(0.662)
    assert plain.terminate_set_aside == 0
    noisy = choose_policy(verdicts, scores, label_noise=0.02, **ONE_SAMPLE)
    # ceil(0.02 * 41) = 1 verdict set aside: the bar rests on the next one.
    assert noisy.terminate_set_aside == 1
    assert noisy.terminate_threshold_lowest == pytest.approx(0.662)
    assert noisy.terminate_threshold == pytest.approx(0.86)
    assert noisy.target_met
    # The set-aside accounts fall in the uncertain band, where a moderator decides.
    assert noisy.review_managed_threshold <= 0.662
    band = pd.DataFrame({"score_ai_managed": [0.70], "score_ai_assisted": [0.0]})
    assert decide_actions(band, noisy).tolist() == ["review"]
    assert decide_actions(band, plain).tolist() == ["terminate"]
    # Where the positives are dense the set-aside costs next to nothing: 200 verdicts
    # from 0.99 down to 0.60 set aside ceil(0.02 * 200) = 4 and the bar barely moves.
    dense = np.r_[np.linspace(0.99, 0.60, 200), rng.uniform(0.0, 0.25, 250)]
    verdicts = pd.Series(["ai_managed"] * 200 + ["human"] * 250)
    policy = choose_policy(
        verdicts, pd.DataFrame({"score_ai_managed": dense, "score_ai_assisted": 0.0}), **ONE_SAMPLE
    )
    assert policy.terminate_set_aside == 4
    assert policy.terminate_threshold == pytest.approx(dense[195])
    assert policy.terminate_threshold - policy.terminate_threshold_lowest < 0.01
    # A stored policy from before the rule still loads.
    old = {k: v for k, v in noisy.to_dict().items() if not k.startswith("terminate_set")}
    old.pop("terminate_threshold_lowest")
    assert Policy.from_dict(old).terminate_threshold_lowest == -1.0


def test_the_terminate_bar_does_not_rest_on_its_highest_other_verdict():
    # Seed 303 in miniature: 8 automation verdicts at 0.995 and above, 14 from 0.99 down to
    # 0.81 and one alone at 0.587; a farm account that a moderator called ai_assisted
    # scores 0.994; 130 people score at most 0.25. Every cut below 0.994 flags that
    # verdict among at most 23, under 0.99 x 0.98 precision.
    rng = np.random.default_rng(303)
    top = np.linspace(0.9999, 0.995, 8)
    managed = np.r_[0.994, top, np.linspace(0.99, 0.81, 14), 0.587, rng.uniform(0.0, 0.25, 130)]
    verdicts = pd.Series(["ai_assisted"] + ["ai_managed"] * 23 + ["human"] * 130)
    scores = pd.DataFrame({"score_ai_managed": managed, "score_ai_assisted": 0.0})
    plain = choose_policy(verdicts, scores, label_noise=0.0, **ONE_SAMPLE)
    assert plain.terminate_threshold == pytest.approx(0.995)
    assert plain.terminate_others_set_aside == 0
    noisy = choose_policy(verdicts, scores, label_noise=0.02, **ONE_SAMPLE)
    # ceil(0.02 / 0.98 * 23) = 1 other verdict set aside, then the lone lowest positive.
    assert noisy.terminate_others_set_aside == 1
    assert noisy.terminate_set_aside == 1
    assert noisy.terminate_threshold_lowest == pytest.approx(0.587)
    assert noisy.terminate_threshold == pytest.approx(0.81)
    assert noisy.target_met
    # The set-aside verdict still counts in the precision reported: 22 of 23 flagged.
    assert noisy.terminate_heldout_precision == pytest.approx(22 / 23)
    # Two wrong verdicts at the top are more than the noise explains: one is set aside,
    # the other keeps the bar above itself.
    twice = verdicts.copy()
    twice[1] = "human"
    held = choose_policy(twice, scores, label_noise=0.02, **ONE_SAMPLE)
    assert held.terminate_others_set_aside == 1
    assert held.terminate_threshold > 0.994
    # A tie straddling the last place sets none of the tied verdicts aside, whatever the
    # row order.
    tied = np.r_[0.994, 0.994, top, np.linspace(0.99, 0.81, 14), rng.uniform(0.0, 0.25, 130)]
    tie_verdicts = pd.Series(["ai_assisted", "human"] + ["ai_managed"] * 22 + ["human"] * 130)
    for order in (slice(None), slice(None, None, -1)):
        p = choose_policy(
            tie_verdicts[order].reset_index(drop=True),
            pd.DataFrame({"score_ai_managed": tied[order], "score_ai_assisted": 0.0}),
            label_noise=0.02,
            **ONE_SAMPLE,
        )
        assert p.terminate_others_set_aside == 0
        assert p.terminate_threshold > 0.994
    # A stored policy from before the rule still loads.
    old = {k: v for k, v in noisy.to_dict().items() if k != "terminate_others_set_aside"}
    assert Policy.from_dict(old).terminate_others_set_aside == 0


# --- thresholds from time-aware out-of-fold scores -------------------------------------
def test_time_folds_never_fit_on_the_future():
    from realpeople.ml.policy import time_folds

    rng = np.random.default_rng(3)
    times = pd.Timestamp("2026-11-01", tz="UTC") + pd.to_timedelta(
        rng.uniform(0, 14 * 86400, 103), unit="s"
    )
    folds = time_folds(times, n_blocks=5)
    assert len(folds) == 4
    t = np.asarray(times)
    scored = np.concatenate([s for _, s in folds])
    assert len(scored) == len(set(scored))  # each row scored at most once
    oldest = np.argsort(t)[: 103 - len(scored)]
    assert set(oldest).isdisjoint(scored)  # the oldest block: nothing older
    for fit, score in folds:
        assert t[fit].max() <= t[score].min()  # no future in the past
        assert len(np.intersect1d(fit, score)) == 0
    assert len(folds[-1][0]) > len(folds[0][0])  # later folds learn from more


def test_flagged_needed_grows_as_precision_nears_the_target():
    from realpeople.ml.policy import flagged_needed, wilson_lower

    target = 0.99 * (1 - 0.02)
    n = flagged_needed(1.0, target)
    assert wilson_lower(1.0, n) >= target > wilson_lower(1.0, n - 1)
    assert n < flagged_needed(0.99, target) < flagged_needed(0.98, target)
    assert flagged_needed(target, target) is None
    assert flagged_needed(0.90, target) is None


def test_harm_bound_rests_on_the_number_of_people_reviewed():
    from realpeople.ml.policy import people_flagged_upper_per_10k, wilson_lower, wilson_upper

    assert wilson_upper(0.02, 500) > 0.02 > wilson_lower(0.02, 500)
    assert 1 - wilson_upper(0.98, 500) == pytest.approx(wilson_lower(0.02, 500))
    labels = np.array(["human"] * 100 + ["ai_managed"] * 20)
    score = np.r_[np.full(100, 0.1), np.full(20, 0.9)]
    n, k, upper_100 = people_flagged_upper_per_10k(labels, score, 0.5)
    assert (n, k) == (100, 0)
    assert 200 < upper_100 < 300  # no person flagged among 100: still up to ~2.6 %
    many = np.r_[np.full(2700, "human"), labels[100:]]
    _, _, upper_2700 = people_flagged_upper_per_10k(
        many, np.r_[np.full(2700, 0.1), score[100:]], 0.5
    )
    assert upper_2700 == pytest.approx(10, abs=0.5)
    score[:3] = 0.95  # three people above the bar
    _, k, upper = people_flagged_upper_per_10k(labels, score, 0.5)
    assert k == 3 and upper > upper_100


def test_terminate_guard_trips_on_evidence_of_harm_not_on_flipped_verdicts():
    from realpeople.ml.policy import hold_terminations, terminate_guard

    def guard(n_people, flagged, bar=0.6, automation=40):
        verdicts = np.array(["human"] * n_people + ["ai_managed"] * automation)
        scores = np.r_[
            np.full(flagged, 0.9), np.full(n_people - flagged, 0.1), np.full(automation, 0.95)
        ]
        return terminate_guard(verdicts, scores, bar, max_per_10k=10, label_noise=0.02)

    # Seed 8's run date: 5 of 220 audited people at or above the bar.
    seed8 = guard(220, 5, automation=36)
    assert seed8.tripped and seed8.people_flagged == 5 and seed8.people_reviewed == 220
    assert seed8.p_value < 0.01 and seed8.lower_per_10k > 10 < seed8.upper_per_10k
    # None flagged: acts, though ~250 people cannot show a harm below 10 per 10,000.
    clean = guard(250, 0)
    assert not clean.tripped and clean.lower_per_10k == 0 and clean.upper_per_10k > 100
    # 40 flagged automation verdicts: ~0.8 of them flipped to "human" is expected, so one
    # or two flagged "people" are what noise looks like; four are not.
    assert clean.expected_flipped == pytest.approx(40 * 0.02 / 0.98)
    assert not guard(250, 1).tripped and not guard(250, 2).tripped
    assert guard(250, 4).tripped
    # ...and the more automation the bar flags, the more flips it tolerates
    assert guard(250, 2, automation=0).tripped and not guard(250, 2, automation=200).tripped
    # The bar counts: a bar above every reviewed person's score never trips.
    assert not guard(220, 5, bar=0.92).tripped
    # No reviewed people at all: nothing measured, nothing tripped (the upper bound says so).
    empty = terminate_guard(np.array([], dtype=str), np.array([]), 0.6, 10)
    assert not empty.tripped and empty.upper_per_10k == 1e4

    actions = pd.Series(["terminate", "warn_and_limit", None, "review", "terminate"], dtype=object)
    held = hold_terminations(actions, seed8)
    assert held.tolist() == ["review", "warn_and_limit", None, "review", "review"]
    assert hold_terminations(actions, clean).tolist() == actions.tolist()


def test_the_warn_guard_raises_the_bar_until_the_audited_people_it_warns_are_chance():
    from realpeople.ml.policy import warn_guard, withhold_warnings

    # Seed 88's run date, in miniature: 213 audited people, 7 of them between the policy's
    # bar 0.67 and 0.84; 58 audited AI accounts above 0.85, and three "people" at 0.966
    # whose verdicts were flipped (they were AI-assisted).
    people = np.r_[np.full(203, 0.05), [0.70, 0.72, 0.75, 0.80, 0.80, 0.81, 0.84], [0.966] * 3]
    ai = np.r_[np.linspace(0.86, 0.98, 58)]
    verdicts = np.array(["human"] * len(people) + ["ai_assisted"] * 30 + ["ai_managed"] * 28)
    scores = np.r_[people, ai]
    guard = warn_guard(verdicts, scores, 0.67, max_per_10k=10, label_noise=0.02)
    assert guard.at_policy_bar.tripped and guard.at_policy_bar.people_flagged == 10
    # the first bar that passes sits just above one of the seven people, never below the
    # policy's bar, and what it still flags is within chance
    assert 0.67 < guard.acting_bar <= 0.841 and guard.raised
    assert not guard.at_acting_bar.tripped
    assert guard.at_acting_bar.people_flagged < guard.at_policy_bar.people_flagged
    # the lowest such bar: one person lower would still trip
    below = np.sort(people[(people >= 0.67) & (people < guard.acting_bar)])[-1]
    from realpeople.ml.policy import terminate_guard

    assert terminate_guard(
        verdicts, scores, below, 10, 0.02, meant_for=("ai_assisted", "ai_managed")
    ).tripped

    actions = pd.Series(["warn_and_limit", "warn_and_limit", "terminate", None], dtype=object)
    any_ai = np.array([0.70, 0.95, 0.80, 0.99])
    kept = withhold_warnings(actions, any_ai, guard)
    assert kept.tolist() == [None, "warn_and_limit", "terminate", None]
    # a policy that sends its any-AI band to moderators sends the withheld warnings there
    from dataclasses import replace

    from realpeople.ml.policy import choose_policy

    labels = pd.Series(["human"] * 50 + ["ai_assisted"] * 50)
    probs = pd.DataFrame(
        {"score_ai_managed": 0.0, "score_ai_assisted": np.r_[np.linspace(0, 0.4, 50), [0.9] * 50]}
    )
    banded = choose_policy(labels, probs, review_any_ai_band=True)
    banded = replace(banded, warn_threshold=0.67, review_any_ai_threshold=0.3)
    assert withhold_warnings(actions, any_ai, guard, banded).tolist() == [
        "review",
        "warn_and_limit",
        "terminate",
        None,
    ]

    # audited people clear of the bar: the policy's bar acts unchanged
    calm = warn_guard(verdicts, np.r_[np.full(len(people), 0.05), ai], 0.67, 10, 0.02)
    assert not calm.raised and calm.acting_bar == 0.67
    assert withhold_warnings(actions, any_ai, calm).tolist() == actions.tolist()
    # no audit at all: nothing measured, the policy's bar acts
    assert not warn_guard(np.array([], dtype=str), np.array([]), 0.67, 10).raised


def test_an_account_leaning_to_automation_is_reviewed_not_warned():
    from dataclasses import replace

    from realpeople.ml.policy import guarded_actions, warn_scores

    # warn_and_limit is for a person taking AI help with writing; an account whose score
    # leans to automation but stays under the review band goes to moderators instead.
    # Seed 404 in miniature: schedulers at score_ai_managed ~0.7, assisted ~0.01.
    scores = pd.DataFrame(
        {
            "score_ai_managed": [0.70, 0.05, 0.35, 0.30, 0.95, 0.10],
            "score_ai_assisted": [0.01, 0.70, 0.30, 0.30, 0.01, 0.10],
        }
    )
    assert warn_scores(scores["score_ai_managed"], scores["score_ai_assisted"]).tolist() == [
        0.0,
        pytest.approx(0.75),
        0.0,
        pytest.approx(0.60),
        0.0,
        pytest.approx(0.20),
    ]
    policy = Policy(
        terminate_threshold=0.9,
        warn_threshold=0.6,
        terminate_precision_target=0.99,
        label_noise=0.02,
        terminate_heldout_precision=1.0,
        terminate_heldout_recall=1.0,
        terminate_heldout_support=10,
        warn_heldout_precision=1.0,
        warn_heldout_recall=1.0,
        target_met=True,
        review_managed_threshold=0.8,
        review_any_ai_threshold=0.6,
    )
    assert decide_actions(scores, policy).tolist() == [
        "review",  # leans to automation, any-AI 0.71 over the warn bar
        "warn_and_limit",
        "review",  # 0.35 + 0.30: leans to automation
        "warn_and_limit",  # a tie counts as assisted
        "terminate",
        None,
    ]

    # The warn bar stays the any-AI probability's, chosen on every review (ai_managed
    # verdicts over it are AI too); six reviewed people leaning to automation at 0.71
    # stay under it here.
    labels = pd.Series(["human"] * 100 + ["ai_assisted"] * 40 + ["ai_managed"] * 20)
    rng = np.random.default_rng(404)
    probs = pd.DataFrame(
        {
            "score_ai_managed": np.r_[
                np.full(6, 0.70), rng.uniform(0, 0.1, 94), np.full(40, 0.02), np.full(20, 0.8)
            ],
            "score_ai_assisted": np.r_[
                np.full(6, 0.01),
                rng.uniform(0, 0.1, 94),
                np.linspace(0.72, 0.95, 40),
                np.full(20, 0.1),
            ],
        }
    )
    chosen = choose_policy(labels, probs)
    assert chosen.warn_threshold == pytest.approx(0.74)

    # The pipeline's actions after both guards: the six audited people leaning to
    # automation over the warn bar are reviewed, never warned. The warn guard counts them
    # all the same (a bound from above on the people warned), and raises its bar.
    chosen = replace(chosen, warn_threshold=0.65, review_managed_threshold=0.75)
    audited = probs.assign(verdict=labels)
    decided = guarded_actions(
        probs, audited, chosen, terminate_per_10k=10, warn_per_10k=10, label_noise=0.02
    )
    assert (decided.actions[:6] == "review").all()
    assert (decided.actions[100:140] == "warn_and_limit").all()
    assert decided.wguard.at_policy_bar.people_flagged == 6
    assert decided.wguard.raised and decided.withheld == 0


def test_the_guards_check_warns_exactly_when_a_guard_acted():
    """``enforcement_guards`` (the Dagster check on account_scores) from model_status rows."""
    from realpeople.defs.quality.checks import guards_verdict

    assert guards_verdict(None)[0] and guards_verdict({"model_acting": False})[0]
    calm = {
        "model_acting": True,
        "terminate_guard_tripped": False,
        "terminations_held": 0,
        "guard_people_reviewed": 213,
        "guard_people_flagged": 0,
        "warn_threshold_acting": 0.67,
        "warn_guard_people_flagged": 1,
        "warnings_withheld": 0,
    }
    passed, message, metadata = guards_verdict(calm)
    assert passed and metadata["audited_people"] == 213 and "passed" in message
    raised = {**calm, "warn_threshold_acting": 0.837, "warn_guard_people_flagged": 7}
    raised["warnings_withheld"] = 313
    passed, message, metadata = guards_verdict(raised)
    assert not passed and "0.837" in message and "313 warnings withheld" in message
    assert "terminate guard" not in message and metadata["warnings_withheld"] == 313
    held = {**calm, "terminate_guard_tripped": True, "terminations_held": 2450}
    held["guard_people_flagged"] = 5
    passed, message, _ = guards_verdict(held)
    assert not passed and "5 of 213 audited people" in message and "2450" in message


def test_the_terminate_bar_holds_in_most_resamples_of_the_verdicts():
    # Seed 88 in miniature: 22 automation verdicts from 0.99 down to 0.70, and one person's
    # verdict at 0.80 among them. On this one sample the mirror rule sets that verdict
    # aside as possibly flipped automation, and the bar drops to 0.714, under the person.
    # (On seed 88, training seeds 1 to 4 put the bar between 0.60 and 0.79 and terminated
    # 9 to 31 people; seed 0 put it at 0.82 and terminated none.)
    rng = np.random.default_rng(88)
    managed = np.r_[np.linspace(0.99, 0.70, 22), 0.80, rng.uniform(0.0, 0.3, 130)]
    verdicts = pd.Series(["ai_managed"] * 22 + ["human"] * 131)
    scores = pd.DataFrame({"score_ai_managed": managed, "score_ai_assisted": 0.0})
    sample = choose_policy(verdicts, scores, **ONE_SAMPLE)
    assert sample.terminate_others_set_aside == 1
    assert sample.terminate_threshold == pytest.approx(managed[20])
    assert sample.terminate_threshold < 0.80
    assert sample.terminate_bar_confidence == 0.0
    # In a resample that draws the person twice, one verdict set aside no longer clears
    # the way (a fifth of resamples and more): the bar that holds in 80 % of them is above it.
    resampled = choose_policy(verdicts, scores, bar_confidence=0.8)
    assert resampled.terminate_threshold > 0.80
    assert resampled.terminate_threshold_sample == pytest.approx(sample.terminate_threshold)
    assert resampled.terminate_bar_confidence == 0.8
    person = pd.DataFrame({"score_ai_managed": [0.80], "score_ai_assisted": [0.0]})
    assert decide_actions(person, sample).tolist() == ["terminate"]
    assert decide_actions(person, resampled).tolist() == ["review"]
    # A higher confidence never lowers the bar; the resamples are drawn with a fixed seed.
    bars = [
        choose_policy(verdicts, scores, bar_confidence=c).terminate_threshold
        for c in (0.5, 0.8, 0.9)
    ]
    assert bars == sorted(bars)
    assert (
        choose_policy(verdicts, scores, bar_confidence=0.8).terminate_threshold
        == resampled.terminate_threshold
    )
    # Where the verdicts are many and clean the bar barely moves: 200 automation verdicts
    # from 0.99 to 0.60 and 250 people under 0.25.
    dense = np.r_[np.linspace(0.99, 0.60, 200), rng.uniform(0.0, 0.25, 250)]
    many = choose_policy(
        pd.Series(["ai_managed"] * 200 + ["human"] * 250),
        pd.DataFrame({"score_ai_managed": dense, "score_ai_assisted": 0.0}),
        bar_confidence=0.8,
    )
    assert 0 < many.terminate_threshold - many.terminate_threshold_sample < 0.01
    # A policy stored before the rule loads, and says it acted on its sample's bar.
    old = {
        k: v
        for k, v in resampled.to_dict().items()
        if k not in ("terminate_threshold_sample", "terminate_bar_confidence")
    }
    assert Policy.from_dict(old).terminate_threshold_sample == -1.0
    assert Policy.from_dict(old).terminate_bar_confidence == 0.0
    with pytest.raises(ValueError, match="bar_confidence"):
        choose_policy(verdicts, scores, bar_confidence=1.5)


def test_the_review_band_reaches_down_the_stretch_no_review_covers():
    # Seed 707 in miniature: 13 automation verdicts from 0.97 down to 0.90 and 100 people
    # at 0.23 and below; nothing reviewed in between. The 200 impostors, never reviewed,
    # scored 0.41-0.89 and got neither an action nor a review while the band began at the
    # lowest flagged verdict.
    rng = np.random.default_rng(707)
    managed = np.r_[np.linspace(0.97, 0.90, 13), rng.uniform(0.0, 0.23, 100)]
    verdicts = pd.Series(["ai_managed"] * 13 + ["human"] * 100)
    scores = pd.DataFrame({"score_ai_managed": managed, "score_ai_assisted": 0.0})
    policy = choose_policy(verdicts, scores)
    # Every cut between 0.23 and 0.90 flags the same reviews; the band reaches down to
    # where the calibrated score says half automation (0.5), the terminate bar keeps the
    # cautious top.
    assert policy.review_managed_threshold == pytest.approx(0.5)
    assert policy.terminate_threshold >= 0.90
    unreviewed = pd.DataFrame({"score_ai_managed": [0.81, 0.5, 0.41], "score_ai_assisted": 0.0})
    assert decide_actions(unreviewed, policy).tolist() == ["review", "review", None]
    # Where the reviews already place the band below 0.5 nothing changes (seed 606: 0.337).
    low = np.r_[np.linspace(0.97, 0.30, 40), rng.uniform(0.0, 0.29, 100)]
    banded = choose_policy(
        pd.Series(["ai_managed"] * 40 + ["human"] * 100),
        pd.DataFrame({"score_ai_managed": low, "score_ai_assisted": 0.0}),
    )
    assert banded.review_managed_threshold == pytest.approx(0.30)
    # Reviewed people inside the stretch end it: with 20 of them at 0.60 a cut at or below
    # them flags more people than automation, and the band starts just above them.
    with_people = np.r_[managed, np.full(20, 0.60)]
    policy = choose_policy(
        pd.Series([*verdicts, *["human"] * 20]),
        pd.DataFrame({"score_ai_managed": with_people, "score_ai_assisted": 0.0}),
    )
    assert 0.60 < policy.review_managed_threshold < 0.60 + 1e-9
    near = pd.DataFrame({"score_ai_managed": [0.60, 0.61], "score_ai_assisted": 0.0})
    assert decide_actions(near, policy).tolist() == [None, "review"]
