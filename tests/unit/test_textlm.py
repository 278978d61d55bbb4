"""The supervised character n-gram text model (ml/textlm.py) on real generated texts: the
simulator's people's registers and a stealth ring's paraphrased script drawn from the same
pools people write from."""

from __future__ import annotations

import numpy as np
import pandas as pd

from realpeople.ml.textlm import (
    TEXT_LM_FEATURES,
    TextLM,
    account_text_scores,
    cross_fit_scores,
    fit_text_lm,
    with_text_scores,
)
from realpeople.simulator.texts import make_text, paraphrase, ring_script


def corpus(seed: int = 0, people: int = 80, ring: int = 40, texts: int = 8):
    """(account_texts, labels): people write comments in their own registers; a ring's
    members post light paraphrases of one shared script of 30 people-like comments."""
    rng = np.random.default_rng(seed)
    script = ring_script(rng, "comment", 1, 30)
    rows, labels = [], {}
    for a in range(people):
        style = "human" if a % 4 else "human_en"
        rows += [(f"p{a}", t) for t in make_text(rng, "comment", style, texts).to_pylist()]
        labels[f"p{a}"] = "human"
    for b in range(ring):
        picked = script.take(rng.integers(0, len(script), texts))
        rows += [(f"r{b}", t) for t in paraphrase(rng, picked).to_pylist()]
        labels[f"r{b}"] = "ai_managed"
    return pd.DataFrame(rows, columns=["account_id", "text"]), pd.Series(labels)


def _auc(scores: pd.Series, labels: pd.Series) -> float:
    pos = scores[labels[scores.index] == "ai_managed"].to_numpy()
    neg = scores[labels[scores.index] == "human"].to_numpy()
    return float((pos[:, None] > neg[None, :]).mean() + 0.5 * (pos[:, None] == neg[None, :]).mean())


def test_held_out_ring_members_read_as_automation():
    """Fitted on half the accounts, the model ranks the other half's ring members above
    its people: their texts are paraphrases of the script the fitted members used."""
    texts, labels = corpus()
    fitted = labels.index[::2]
    lm = fit_text_lm(texts[texts["account_id"].isin(fitted)], labels[fitted])
    held_out = texts[~texts["account_id"].isin(fitted)]
    scores = account_text_scores(lm, held_out).set_index("account_id")
    assert _auc(scores["text_lm_llr_mean"], labels) > 0.95
    ring = scores[scores.index.str.startswith("r")]
    people = scores[scores.index.str.startswith("p")]
    assert ring["text_lm_machine_share"].mean() > 0.8
    assert people["text_lm_machine_share"].mean() < 0.3


def test_each_account_text_counts_once():
    texts, labels = corpus(people=10, ring=5)
    repeated = pd.concat([texts, texts[texts["account_id"] == "r0"]] * 3, ignore_index=True)
    once, many = fit_text_lm(texts, labels), fit_text_lm(repeated, labels)
    assert np.array_equal(once.machine_counts, many.machine_counts)
    assert (
        once.machine_texts
        == many.machine_texts
        == len(texts.loc[labels[texts["account_id"]].to_numpy() == "ai_managed"].drop_duplicates())
    )


def test_cross_fit_never_scores_an_account_with_its_own_texts():
    """An account's own label and texts never reach the model that scores it: flipping its
    label leaves its out-of-fold scores unchanged (in-sample, the flip moves them), and its
    scores equal those of a model fitted without its fold."""
    texts, labels = corpus(people=30, ring=15)
    folds = pd.Series(np.arange(len(labels)) % 5, index=labels.index)
    flipped = labels.copy()
    flipped["r0"] = "human"
    oof = cross_fit_scores(texts, labels, folds).set_index("account_id")
    oof_flipped = cross_fit_scores(texts, flipped, folds).set_index("account_id")
    assert oof.loc["r0"].equals(oof_flipped.loc["r0"])
    in_sample = account_text_scores(fit_text_lm(texts, labels), texts).set_index("account_id")
    in_sample_flipped = account_text_scores(fit_text_lm(texts, flipped), texts)
    assert not in_sample.loc["r0"].equals(in_sample_flipped.set_index("account_id").loc["r0"])
    fold = folds["r0"]
    others = labels[folds != fold]
    without = fit_text_lm(texts[texts["account_id"].isin(others.index)], others)
    direct = account_text_scores(without, texts[texts["account_id"] == "r0"])
    assert np.allclose(direct.set_index("account_id").loc["r0"], oof.loc["r0"])
    assert set(oof.index) == set(labels.index)


def test_deterministic_and_stored_exactly():
    texts, labels = corpus(seed=3, people=20, ring=10)
    a, b = fit_text_lm(texts, labels), fit_text_lm(texts.sample(frac=1, random_state=1), labels)
    assert np.array_equal(a.people_counts, b.people_counts)
    stored = TextLM.from_bytes(a.to_bytes())
    probe = texts["text"].head(50)
    assert np.array_equal(stored.score_texts(probe), a.score_texts(probe))
    assert (stored.people_texts, stored.machine_texts) == (a.people_texts, a.machine_texts)


def test_accounts_without_texts_or_model_get_missing_scores():
    texts, labels = corpus(people=5, ring=5)
    features = pd.DataFrame({"account_id": ["p0", "silent"], "x": [1.0, 2.0]})
    scored = with_text_scores(features, account_text_scores(fit_text_lm(texts, labels), texts))
    assert scored.loc[0, list(TEXT_LM_FEATURES)].notna().all()
    assert scored.loc[1, list(TEXT_LM_FEATURES)].isna().all()
    none = with_text_scores(features, account_text_scores(None, texts))
    assert none[list(TEXT_LM_FEATURES)].isna().all().all()
    # blank texts are not texts
    assert account_text_scores(
        fit_text_lm(texts, labels), pd.DataFrame({"account_id": ["a"], "text": ["   "]})
    ).empty
