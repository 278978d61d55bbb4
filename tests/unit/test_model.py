"""Training, calibration, scoring, reason codes, the registry and the promotion gate on
synthetic frames (no warehouse, no Dagster)."""

import numpy as np
import pandas as pd
import pytest

from realpeople.ml.calibrate import brier, fit_calibrator
from realpeople.ml.explain import explain_actions, reason_codes, reason_table
from realpeople.ml.features import CLASSES, FEATURES, FeatureContractError, feature_matrix
from realpeople.ml.policy import decide_actions
from realpeople.ml.score import score_accounts
from realpeople.ml.train import train_model


def synthetic_training(n=1500, seed=0, overlap=0.0) -> pd.DataFrame:
    """Accounts whose class shows in two features: automation replies instantly and acts
    at regular intervals; AI-assisted people write list-structured texts. ``overlap``
    is the share of accounts whose behaviour is drawn as if of another class (hard
    cases, so probabilities are not all 0 or 1). Reviews are spread over two weeks; a
    third come from user reports that over-sample automation."""
    rng = np.random.default_rng(seed)
    label = rng.choice(CLASSES, size=n, p=[0.7, 0.15, 0.15])
    behaves = np.where(rng.random(n) < overlap, rng.choice(CLASSES, size=n), label)
    frame = pd.DataFrame(rng.normal(size=(n, len(FEATURES))), columns=list(FEATURES))
    managed = behaves == "ai_managed"
    assisted = behaves == "ai_assisted"
    frame["dm_reply_under_10s_share"] = np.where(
        managed, rng.uniform(0.8, 1.0, n), rng.uniform(0, 0.2, n)
    )
    frame["gap_cv"] = np.where(managed, rng.uniform(0.1, 0.5, n), rng.uniform(1.0, 4.0, n))
    frame["list_marker_share"] = np.where(
        assisted, rng.uniform(0.5, 1.0, n), rng.uniform(0, 0.3, n)
    )
    frame["account_id"] = [f"acc{i:05d}" for i in range(n)]
    frame["label"] = label
    reported = rng.random(n) < np.where(label == "ai_managed", 0.7, 0.2)
    frame["source"] = np.where(reported, "user_report", "random_sample")
    frame["reviewed_at"] = pd.Timestamp("2026-11-01", tz="UTC") + pd.to_timedelta(
        np.sort(rng.uniform(0, 14 * 86400, n)), unit="s"
    )
    return frame


@pytest.fixture(scope="module")
def trained():
    return train_model(synthetic_training(), seed=0, search=False)


def test_model_learns_the_separable_classes(trained):
    assert trained.metrics["pr_auc_ai_managed"] > 0.97
    assert trained.metrics["recall_ai_assisted"] > 0.8
    assert trained.policy.terminate_heldout_precision >= 0.99 * (1 - trained.policy.label_noise)
    assert trained.n_test == pytest.approx(0.25 * 1500, abs=2)
    top = set(trained.importance["feature"].head(3))
    assert {"dm_reply_under_10s_share", "gap_cv"} & top


def test_the_test_set_is_the_newest_reviews(trained):
    train_times = trained.extra["train_frame"]["reviewed_at"]
    assert trained.test["reviewed_at"].min() >= train_times.max()
    for key in (
        "wrongly_terminated_per_10k_people",
        "source_user_report_terminate_precision",
        "source_random_sample_n",
        "recall_at_target_precision",
        "cv_pr_auc_ai_managed",
    ):
        assert key in trained.metrics


def test_scores_are_probabilities(trained):
    frame = synthetic_training(n=200, seed=5)
    scores = score_accounts(frame, trained.model)
    assert list(scores.columns) == ["account_id", *[f"score_{c}" for c in CLASSES]]
    sums = scores[[f"score_{c}" for c in CLASSES]].sum(axis=1)
    assert np.allclose(sums, 1.0)
    managed = frame["label"] == "ai_managed"
    assert scores.loc[managed, "score_ai_managed"].mean() > 0.8
    assert scores.loc[~managed, "score_ai_managed"].mean() < 0.2


def test_calibration_improves_brier_on_heldout_data():
    result = train_model(synthetic_training(n=3000, seed=3, overlap=0.25), seed=3, search=False)
    # Measured on the newest reviews, which neither the model nor the calibrator saw.
    assert result.metrics["brier_calibrated"] < result.metrics["brier_uncalibrated"]
    assert result.metrics["brier_improvement"] > 0


def test_calibrator_fixes_overconfident_scores():
    rng = np.random.default_rng(0)
    n = 4000
    labels = rng.choice(CLASSES, size=n, p=[0.6, 0.2, 0.2])
    # Right 70% of the time but always 97% sure: over-confident.
    guess = np.where(rng.random(n) < 0.7, labels, rng.choice(CLASSES, size=n))
    raw = np.where(guess[:, None] == np.asarray(CLASSES)[None, :], 0.97, 0.015)
    fit, held = slice(0, n // 2), slice(n // 2, n)
    calibrator = fit_calibrator(raw[fit], labels[fit])
    assert (
        brier(calibrator.transform(raw[held]), labels[held]) < brier(raw[held], labels[held]) - 0.05
    )


def test_reason_codes_name_the_real_evidence(trained):
    frame = synthetic_training(n=300, seed=6)
    bots = frame[frame["label"] == "ai_managed"].head(20)
    reasons = reason_codes(bots, trained.model, "ai_managed")
    # The evidence is instant replies and regular gaps, worded with the account's value.
    assert reasons.str.contains("replies to direct messages within 10 s").mean() > 0.8
    first = bots.iloc[0]
    assert f"{first['dm_reply_under_10s_share']:.0%}" in reasons.iloc[0]
    assert "typical person" in reasons.iloc[0]


def test_reason_codes_point_the_right_way(trained):
    frame = synthetic_training(n=300, seed=6)
    bots = frame[frame["label"] == "ai_managed"].head(20)
    table = reason_table(bots, trained.model, "ai_managed")
    assert set(table["feature"]) <= set(FEATURES)
    assert (table["contribution"] > 0).all()
    # Automation replies faster and acts more regularly than a typical person does.
    assert (
        table.loc[table["feature"] == "dm_reply_under_10s_share", "direction"] == "higher"
    ).mean() > 0.9
    assert (table.loc[table["feature"] == "gap_cv", "direction"] == "lower").mean() > 0.9
    # The same feature counts as evidence *against* automation for people, who reply slowly.
    people = frame[frame["label"] == "human"].head(20)
    towards_people = reason_table(people, trained.model, "human")
    assert (
        towards_people.loc[towards_people["feature"] == "dm_reply_under_10s_share", "value"] < 0.2
    ).all()


def test_explain_actions_only_for_actioned(trained):
    frame = synthetic_training(n=300, seed=7)
    scores = score_accounts(frame, trained.model)
    scores["proposed_action"] = decide_actions(scores, trained.policy)
    reasons = explain_actions(frame, scores, trained.model)
    acted = scores["proposed_action"].notna()
    assert acted.any()
    assert reasons[acted].notna().all()
    assert reasons[~acted].isna().all()


def _reasons_as_first_built(frame, model, cls, top=3):
    """The reasons as the pipeline built them before scoring at scale (issue 15): the
    full multiclass booster's ``pred_contrib``, the class's block, a loop over rows."""
    from realpeople.ml.explain import FLAGS, describe

    k, width = CLASSES.index(cls), len(FEATURES) + 1
    values = feature_matrix(frame).to_numpy()
    contrib = model.booster.predict(values, pred_contrib=True)[:, k * width : (k + 1) * width - 1]
    out = []
    for row, idx in enumerate(np.argsort(-contrib, axis=1)[:, :top]):
        texts = [
            describe(
                FEATURES[j],
                values[row, j],
                None if FEATURES[j] in FLAGS else model.typical_person.get(FEATURES[j]),
            )
            for j in idx
            if contrib[row, j] > 0
        ]
        out.append("; ".join(texts) or "overall behaviour pattern")
    return out


def test_reasons_of_actioned_accounts_are_those_built_before(trained):
    """Explaining from Arrow through the class's own trees, vectorised, gives every account
    with a proposed action the very reasons the full booster and the row loop gave; the
    others get none."""
    import pyarrow as pa

    frame = synthetic_training(n=800, seed=12, overlap=0.2)
    frame.loc[frame.index[::7], "gap_cv"] = np.nan  # missing values are worded too
    scores = score_accounts(frame, trained.model)
    scores["proposed_action"] = decide_actions(scores, trained.policy)
    reasons = explain_actions(pa.Table.from_pandas(frame), scores, trained.model, num_threads=2)
    acted = scores["proposed_action"].notna()
    assert acted.sum() > 100 and (~acted).sum() > 100
    assert reasons[~acted].isna().all()
    managed = (scores["proposed_action"] == "terminate") | (
        scores["score_ai_managed"] >= scores["score_ai_assisted"]
    )
    for cls, pick in (("ai_managed", acted & managed), ("ai_assisted", acted & ~managed)):
        assert pick.any()
        assert reasons[pick].tolist() == _reasons_as_first_built(frame[pick], trained.model, cls)


def test_a_class_booster_is_that_class_of_the_full_booster(trained):
    from realpeople.ml.score import class_booster, feature_array

    x = feature_array(synthetic_training(n=300, seed=13, overlap=0.2))
    full = trained.model.booster
    contrib = full.predict(x, pred_contrib=True)
    raw = full.predict(x, raw_score=True)
    width = len(FEATURES) + 1
    for k, cls in enumerate(CLASSES):
        own = class_booster(full, cls)
        assert own.num_trees() == full.num_trees() // len(CLASSES)
        assert np.array_equal(
            own.predict(x, pred_contrib=True), contrib[:, k * width : (k + 1) * width]
        )
        assert np.array_equal(own.predict(x, raw_score=True), raw[:, k])


def test_feature_array_reads_arrow_as_pandas_does(trained):
    """The scoring path's Arrow table (integers, booleans, NULLs) gives the matrix the
    pandas frame gives, scores in batches equal one call, and a missing feature is named."""
    import pyarrow as pa

    from realpeople.ml.score import feature_array, score_batches

    frame = synthetic_training(n=120, seed=14)
    frame["active_days"] = np.arange(120) % 28
    frame["signup_via_api"] = np.arange(120) % 3 == 0
    table = pa.Table.from_pandas(frame, preserve_index=False)
    nulls = pa.array([None if i % 5 == 0 else float(v) for i, v in enumerate(frame["gap_cv"])])
    table = table.set_column(table.schema.get_field_index("gap_cv"), "gap_cv", nulls)
    frame.loc[frame.index[::5], "gap_cv"] = np.nan
    x = feature_array(table)
    assert x.flags["C_CONTIGUOUS"]
    np.testing.assert_array_equal(x, feature_matrix(frame).to_numpy())
    np.testing.assert_array_equal(
        score_batches(x, trained.model, batch_rows=17), trained.model.predict(frame)
    )
    with pytest.raises(FeatureContractError, match="gap_cv"):
        feature_array(table.drop(["gap_cv"]))


def test_missing_feature_is_named():
    frame = synthetic_training(n=50).drop(columns=["gap_cv", "night_share"])
    with pytest.raises(FeatureContractError, match="gap_cv, night_share"):
        feature_matrix(frame)


@pytest.fixture
def registry(tmp_path):
    from realpeople.ml.tracking import configure

    configure(f"sqlite:///{tmp_path / 'mlflow.db'}", tmp_path / "artifacts", "test_model")
    return "test_model"


def test_thresholds_round_trip_through_the_registry(trained, registry):
    from realpeople.ml.tracking import challenger, champion, load_model, log_register_and_gate

    assert champion(registry) is None
    registered = log_register_and_gate(trained, model_name=registry, training_as_of="2026-11-15")
    assert registered.decision.promoted  # the first model becomes champion
    found = champion(registry)
    assert found.version == registered.version == challenger(registry).version == "1"
    assert found.policy == trained.policy
    reloaded = load_model(found)
    assert reloaded.calibrator.to_dict() == trained.model.calibrator.to_dict()
    frame = synthetic_training(n=50, seed=9)
    assert np.allclose(
        score_accounts(frame, reloaded).iloc[:, 1:],
        score_accounts(frame, trained.model).iloc[:, 1:],
    )


def test_the_registry_serves_what_the_pipeline_publishes(trained, registry):
    """Anyone loading ``models:/<name>@champion`` with plain ``mlflow.pyfunc`` gets the
    calibrated scores and the policy's actions, not the booster's raw probabilities; the
    version carries its model card and the logged model its held-out metrics."""
    import mlflow

    from realpeople.ml.policy import decide_actions
    from realpeople.ml.tracking import log_register_and_gate

    registered = log_register_and_gate(trained, model_name=registry, training_as_of="2026-11-15")
    served = mlflow.pyfunc.load_model(f"models:/{registry}@champion")
    frame = synthetic_training(n=80, seed=11)
    expected = score_accounts(frame, trained.model).drop(columns="account_id")
    got = served.predict(frame)
    pd.testing.assert_frame_equal(got.reset_index(drop=True), expected)
    raw = trained.model.predict_raw(frame)
    assert not np.allclose(got.to_numpy(), raw)  # calibrated, not the booster's output
    acted = served.predict(frame, params={"with_action": True})
    assert acted["proposed_action"].tolist() == decide_actions(expected, trained.policy).tolist()
    version = mlflow.MlflowClient().get_model_version(registry, registered.version)
    assert version.description.startswith("#") and registered.version in version.description
    logged = mlflow.get_logged_model(
        mlflow.get_run(registered.run_id).outputs.model_outputs[0].model_id
    )
    assert {m.key for m in logged.metrics} >= {
        k for k, v in trained.metrics.items() if not np.isnan(v)
    }


def test_gate_promotes_over_a_champion_that_reads_features_no_longer_built(trained, registry):
    """A feature renamed or dropped since the champion was trained (issue 16 replaced
    text_length_cv by post_tokens_cv): the champion cannot score today's accounts, so the
    gate promotes the challenger, saying why, instead of failing on the missing column."""
    from dataclasses import replace

    import lightgbm as lgb

    from realpeople.ml.tracking import champion, log_register_and_gate

    # The champion of an older feature contract: the same trees, but its first feature
    # carries a name today's mart does not build.
    text = trained.model.booster.model_to_string()
    names = next(line for line in text.splitlines() if line.startswith("feature_names="))
    renamed = names.replace(f"={FEATURES[0]} ", "=retired_feature ", 1)
    assert renamed != names
    old = lgb.Booster(model_str=text.replace(names, renamed, 1))
    # (its own test rows still carried that feature when it was registered)
    older = replace(
        trained,
        model=replace(trained.model, booster=old),
        test=trained.test.assign(retired_feature=trained.test[FEATURES[0]]),
    )
    log_register_and_gate(older, model_name=registry, training_as_of="2026-11-14")
    assert champion(registry).version == "1"
    registered = log_register_and_gate(trained, model_name=registry, training_as_of="2026-11-15")
    decision = registered.decision
    assert decision.promoted and decision.champion is None
    assert "retired_feature" in decision.reason and "no longer built" in decision.reason
    assert champion(registry).version == "2"


def test_gate_refuses_a_worse_model(trained, registry):
    import mlflow

    from realpeople.ml.tracking import challenger, champion, log_register_and_gate

    log_register_and_gate(trained, model_name=registry, training_as_of="2026-11-15")
    # A deliberately worse model: in the older reviews it learns from, the two features
    # that reveal automation are scrambled; the newest reviews (its test set) are intact.
    frame = synthetic_training()
    rng = np.random.default_rng(1)
    older = frame["reviewed_at"] < frame["reviewed_at"].quantile(0.7)
    for col in ("dm_reply_under_10s_share", "gap_cv"):
        frame.loc[older, col] = rng.permutation(frame.loc[older, col].to_numpy())
    worse = train_model(frame, seed=0, search=False)
    registered = log_register_and_gate(worse, model_name=registry, training_as_of="2026-11-16")
    decision = registered.decision
    assert not decision.promoted
    assert decision.challenger.policy_metric < decision.champion.policy_metric
    assert champion(registry).version == "1"
    assert challenger(registry).version == registered.version == "2"
    # The decision and both scores are on the challenger's run.
    run = mlflow.get_run(registered.run_id)
    assert run.data.tags["gate.decision"] == "refused"
    assert {
        "gate_challenger_policy_metric",
        "gate_champion_policy_metric",
        "gate_challenger_wrongly_terminated_per_10k",
    } <= set(run.data.metrics)


def test_thresholds_use_time_aware_scores_of_every_review(trained):
    """The acting policy is chosen on all reviews (older reviews scored by models fitted on
    older ones, the newest by the final model); the report figures come from the policy
    chosen on the older reviews alone, next to the previous method's."""
    from realpeople.ml.train import TIME_BLOCKS

    m = trained.metrics
    n_train, n_test = trained.n_train, trained.n_test
    oldest_block = int(np.ceil(n_train / TIME_BLOCKS))
    assert m["threshold_reviews"] == n_train - oldest_block + n_test
    assert m["deployed_policy_terminate_threshold"] == trained.policy.terminate_threshold
    for prefix in ("old_policy", "report_policy"):
        assert 0.0 <= m[f"{prefix}_heldout_terminate_recall"] <= 1.0
        assert m[f"{prefix}_heldout_terminate_precision"] >= 0.95  # separable classes
    assert 0 < m["deployed_policy_oof_precision_lower"] <= m["deployed_policy_oof_precision"]
    assert m["deployed_policy_flagged_needed"] > 0
    assert (
        m["deployed_policy_people_reviewed"]
        == (trained.heldout["label"] == "human").sum()
        + (
            trained.extra["train_frame"]["label"].iloc[int(np.ceil(n_train / TIME_BLOCKS)) :]
            == "human"
        ).sum()
    )
    assert m["deployed_policy_people_terminated_per_10k_upper"] > 0


def test_time_aware_scores_leave_the_oldest_block_unscored():
    from realpeople.ml.train import DEFAULT_PARAMS, time_aware_scores

    frame = synthetic_training(n=400, seed=2)
    x = frame[list(FEATURES)]
    y = frame["label"].map({c: i for i, c in enumerate(CLASSES)}).to_numpy()
    scores = time_aware_scores(
        x, y, frame["reviewed_at"], {**DEFAULT_PARAMS, "seed": 0}, 30, n_blocks=4
    )
    unscored = np.isnan(scores).any(axis=1)
    assert unscored.sum() == 100
    assert frame.loc[unscored, "reviewed_at"].max() <= frame.loc[~unscored, "reviewed_at"].min()
    assert np.allclose(scores[~unscored].sum(axis=1), 1.0)
    # models fitted on the past still rank the future: automation scores high
    managed = scores[~unscored, CLASSES.index("ai_managed")]
    is_managed = frame.loc[~unscored, "label"].to_numpy() == "ai_managed"
    assert managed[is_managed].mean() > managed[~is_managed].mean() + 0.5


def test_too_few_reviews_is_refused_with_what_training_needs():
    """Issue 13: "human 89, ai_managed 10, ai_assisted 9" stopped the run; now training
    refuses with the shortfall per class, which the pipeline publishes instead."""
    from realpeople.ml.dataset import NotEnoughReviews, training_shortfall

    frame = synthetic_training(n=1500, seed=1)
    counts = {"human": 89, "ai_managed": 10, "ai_assisted": 9}
    few = pd.concat([frame[frame["label"] == c].head(n) for c, n in counts.items()]).sort_index()
    shortfall = training_shortfall(few)
    assert (
        shortfall.needed == {"human": 0, "ai_assisted": 1, "ai_managed": 0}
        and shortfall.needed_any == 0
    )
    with pytest.raises(NotEnoughReviews, match="needs 1 more reviewed ai_assisted"):
        train_model(few, search=False)
    # Only two classes reviewed: act on verdicts only (docs/models.md), never a two-class model.
    two = frame[frame["label"] != "ai_assisted"]
    assert training_shortfall(two).needed["ai_assisted"] == 10
    assert training_shortfall(frame.head(0)).needed_any == 70
    assert training_shortfall(frame).ok
