"""Training, scoring, reason codes and the MLflow registry round trip on a synthetic frame."""

import numpy as np
import pandas as pd
import pytest

from ml.explain import explain_actions, reason_codes
from ml.features import CLASSES, FEATURES, FeatureContractError, feature_matrix
from ml.policy import decide_actions
from ml.score import score_accounts
from ml.train import train_model


def synthetic_training(n=1500, seed=0) -> pd.DataFrame:
    """Accounts whose class shows in two features: automation replies instantly and acts
    at regular intervals; AI-assisted people write list-structured texts."""
    rng = np.random.default_rng(seed)
    label = rng.choice(CLASSES, size=n, p=[0.7, 0.15, 0.15])
    frame = pd.DataFrame(rng.normal(size=(n, len(FEATURES))), columns=list(FEATURES))
    managed = label == "ai_managed"
    assisted = label == "ai_assisted"
    frame["dm_reply_under_10s_share"] = np.where(managed, rng.uniform(0.8, 1.0, n), rng.uniform(0, 0.2, n))
    frame["gap_cv"] = np.where(managed, rng.uniform(0.1, 0.5, n), rng.uniform(1.0, 4.0, n))
    frame["list_marker_share"] = np.where(assisted, rng.uniform(0.5, 1.0, n), rng.uniform(0, 0.3, n))
    frame["account_id"] = [f"acc{i:05d}" for i in range(n)]
    frame["label"] = label
    frame["source"] = "random_sample"
    return frame


@pytest.fixture(scope="module")
def trained():
    return train_model(synthetic_training(), seed=0)


def test_model_learns_the_separable_classes(trained):
    assert trained.metrics["pr_auc_ai_managed"] > 0.97
    assert trained.metrics["recall_ai_assisted"] > 0.8
    assert trained.policy.terminate_heldout_precision >= 0.99 * (1 - trained.policy.label_noise)
    assert trained.n_test == pytest.approx(0.25 * 1500, abs=2)
    top = set(trained.importance["feature"].head(3))
    assert {"dm_reply_under_10s_share", "gap_cv"} & top


def test_scores_are_probabilities(trained):
    frame = synthetic_training(n=200, seed=5)
    scores = score_accounts(frame, trained.booster)
    assert list(scores.columns) == ["account_id", *[f"score_{c}" for c in CLASSES]]
    sums = scores[[f"score_{c}" for c in CLASSES]].sum(axis=1)
    assert np.allclose(sums, 1.0)
    managed = frame["label"] == "ai_managed"
    assert scores.loc[managed, "score_ai_managed"].mean() > 0.8
    assert scores.loc[~managed, "score_ai_managed"].mean() < 0.2


def test_reason_codes_name_the_real_evidence(trained):
    frame = synthetic_training(n=300, seed=6)
    bots = frame[frame["label"] == "ai_managed"].head(20)
    reasons = reason_codes(bots, trained.booster, "ai_managed")
    # The evidence is instant replies and regular gaps, worded with the account's value.
    assert reasons.str.contains("replies to direct messages within 10 s").mean() > 0.8
    first = bots.iloc[0]
    assert f"{first['dm_reply_under_10s_share']:.0%}" in reasons.iloc[0]


def test_explain_actions_only_for_actioned(trained):
    frame = synthetic_training(n=300, seed=7)
    scores = score_accounts(frame, trained.booster)
    scores["proposed_action"] = decide_actions(scores, trained.policy)
    reasons = explain_actions(frame, scores, trained.booster)
    acted = scores["proposed_action"].notna()
    assert acted.any()
    assert reasons[acted].notna().all()
    assert reasons[~acted].isna().all()


def test_missing_feature_is_named():
    frame = synthetic_training(n=50).drop(columns=["gap_cv", "night_share"])
    with pytest.raises(FeatureContractError, match="gap_cv, night_share"):
        feature_matrix(frame)


def test_policy_round_trips_through_the_registry(trained, tmp_path):
    from ml.tracking import champion, configure, load_booster, log_training_run

    configure(f"sqlite:///{tmp_path / 'mlflow.db'}", tmp_path / "artifacts", "test_model")
    assert champion("test_model") is None
    registered = log_training_run(trained, model_name="test_model", training_as_of="2026-11-15")
    found = champion("test_model")
    assert found.version == registered.version == "1"
    assert found.policy == trained.policy
    frame = synthetic_training(n=50, seed=9)
    reloaded = load_booster(found)
    assert np.allclose(score_accounts(frame, reloaded).iloc[:, 1:], score_accounts(frame, trained.booster).iloc[:, 1:])
