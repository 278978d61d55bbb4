"""Text that reads as written by the automation moderators already caught: a character
n-gram language model, supervised by reviews.

Grain: the model is fitted on (account, distinct text) pairs of reviewed accounts; it
scores one distinct text at a time, and :func:`account_text_scores` aggregates those
scores to one row per account.

Two class-conditional unigram models over hashed character 1-4-grams (scikit-learn's
``HashingVectorizer``: no vocabulary to keep, no download), one from the texts of
accounts reviewed ``human`` and one from those reviewed ``ai_managed``, each add-k
smoothed. A text's score is the mean, over its n-grams, of
``log p(g | automation) - log p(g | people)``: a per-n-gram log-likelihood ratio, so long
and short texts are on one scale; above 0 the text reads more like the caught automation.
What it picks up is what automation cannot cheaply hide in its words: a ring's members
reuse the same script, lightly paraphrased, so an unreviewed member's texts are made of
the n-grams of members already caught (locally fluent, globally repetitive).

Each (account, distinct text) pair counts once: a farm repeating one text a thousand
times does not outweigh a thousand accounts. The heavy work (hashing the n-grams) runs
once per distinct text, in both fitting and scoring.

Labels leak if an account's own texts are in the model it is scored with:
:func:`cross_fit_scores` scores each fold of accounts with a model fitted on the other
folds only.

**Not a feature of the account model.** Measured on seeds 7, 21 and 33 (docs/models.md,
"Text that reads as machine-written") the scores ranked people who write in English
(expats) closer to automation than the stealth rings: the reviewed automation holds
English-writing impostors, the reviewed people hardly any English, so the ratio learns
the language as much as the automation, and the model terminated 17 expats on seed 33.
``benchmarks/text_lm.py`` measures it on a built world against the simulator's truth.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from sklearn.feature_extraction.text import HashingVectorizer

# One row per account: mean and max of its distinct texts' scores, and the share above 0.
TEXT_LM_FEATURES: tuple[str, ...] = (
    "text_lm_llr_mean",  # mean per-n-gram log-likelihood ratio over its distinct texts
    "text_lm_llr_max",
    "text_lm_machine_share",  # share of its distinct texts that read as automation (> 0)
)

NGRAM_RANGE = (1, 4)
BUCKETS = 2**18  # hashed n-gram buckets: 2 x 2 MB of counts; collisions only blur the ratio
SMOOTHING = 0.5  # add-k: an n-gram neither class has seen scores 0
PEOPLE, MACHINE = "human", "ai_managed"
BATCH = 100_000  # distinct texts hashed per batch when scoring (bounds memory)


def _vectorizer() -> HashingVectorizer:
    return HashingVectorizer(
        analyzer="char",
        ngram_range=NGRAM_RANGE,
        n_features=BUCKETS,
        alternate_sign=False,
        norm=None,
        lowercase=True,
        dtype=np.float64,
    )


def ngram_counts(texts) -> sparse.csr_matrix:
    """Hashed character 1-4-gram counts: one row per text, ``BUCKETS`` columns."""
    return _vectorizer().transform(list(texts)).tocsr()


@dataclass
class TextLM:
    """Add-k smoothed n-gram counts of people's and automation's texts."""

    people_counts: np.ndarray  # (BUCKETS,) n-gram counts over reviewed people's texts
    machine_counts: np.ndarray  # (BUCKETS,) the same over reviewed automation's texts
    people_texts: int = 0  # (account, distinct text) pairs fitted, per class
    machine_texts: int = 0
    smoothing: float = SMOOTHING

    def log_ratio(self) -> np.ndarray:
        """Per bucket: log p(g | automation) - log p(g | people), add-k smoothed."""
        k, b = self.smoothing, len(self.people_counts)
        machine = np.log(self.machine_counts + k) - np.log(self.machine_counts.sum() + k * b)
        people = np.log(self.people_counts + k) - np.log(self.people_counts.sum() + k * b)
        return machine - people

    def score_texts(self, texts) -> np.ndarray:
        """Mean per-n-gram log-likelihood ratio of each text (NaN for an empty one)."""
        texts = list(texts)
        ratio = self.log_ratio()
        out = np.full(len(texts), np.nan)
        for start in range(0, len(texts), BATCH):
            x = ngram_counts(texts[start : start + BATCH])
            total = np.asarray(x.sum(axis=1)).ravel()
            with np.errstate(invalid="ignore", divide="ignore"):
                out[start : start + BATCH] = np.where(total > 0, (x @ ratio) / total, np.nan)
        return out

    def to_bytes(self) -> bytes:
        """The counts as one compressed ``.npz`` (stored with the registered model)."""
        buffer = io.BytesIO()
        np.savez_compressed(
            buffer,
            people_counts=self.people_counts,
            machine_counts=self.machine_counts,
            meta=np.array([self.people_texts, self.machine_texts, self.smoothing]),
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> TextLM:
        with np.load(io.BytesIO(data)) as npz:
            people_texts, machine_texts, smoothing = npz["meta"].tolist()
            return cls(
                people_counts=npz["people_counts"],
                machine_counts=npz["machine_counts"],
                people_texts=int(people_texts),
                machine_texts=int(machine_texts),
                smoothing=float(smoothing),
            )


def _pairs(account_texts: pd.DataFrame) -> pd.DataFrame:
    """Distinct (account_id, text) pairs with a non-blank text."""
    pairs = account_texts.loc[:, ["account_id", "text"]].dropna()
    pairs = pairs[pairs["text"].str.strip().str.len() > 0]
    return pairs.drop_duplicates(ignore_index=True)


def fit_text_lm(account_texts: pd.DataFrame, labels: pd.Series) -> TextLM:
    """Fit on ``account_texts`` (``account_id``, ``text``) of the accounts in ``labels``
    (verdict per ``account_id``; only ``human`` and ``ai_managed`` accounts are used).
    Each distinct text is hashed once; its counts enter each class once per account."""
    pairs = _pairs(account_texts)
    pairs["label"] = pairs["account_id"].map(labels)
    pairs = pairs[pairs["label"].isin([PEOPLE, MACHINE])]
    counts = {PEOPLE: np.zeros(BUCKETS), MACHINE: np.zeros(BUCKETS)}
    n_texts = {PEOPLE: 0, MACHINE: 0}
    if len(pairs):
        codes, uniques = pd.factorize(pairs["text"])
        x = ngram_counts(uniques)
        for label in (PEOPLE, MACHINE):
            mine = codes[(pairs["label"] == label).to_numpy()]
            n_texts[label] = len(mine)
            if len(mine):
                uses = np.bincount(mine, minlength=len(uniques)).astype("float64")
                counts[label] = np.asarray(x.T @ uses).ravel()
    return TextLM(
        people_counts=counts[PEOPLE],
        machine_counts=counts[MACHINE],
        people_texts=n_texts[PEOPLE],
        machine_texts=n_texts[MACHINE],
    )


def account_text_scores(lm: TextLM | None, account_texts: pd.DataFrame) -> pd.DataFrame:
    """One row per account of ``account_texts`` (``account_id``, ``text``): the mean and
    max score of its distinct texts, and the share of them above 0 (reads as automation).
    Each distinct text is scored once. Without a model, no rows."""
    columns = ["account_id", *TEXT_LM_FEATURES]
    pairs = _pairs(account_texts)
    if lm is None or pairs.empty:
        return pd.DataFrame(columns=columns)
    codes, uniques = pd.factorize(pairs["text"])
    llr = lm.score_texts(uniques)[codes]
    scored = pd.DataFrame({"account_id": pairs["account_id"].to_numpy(), "llr": llr})
    scored["machine"] = (scored["llr"] > 0).astype("float64")
    out = scored.groupby("account_id", sort=True).agg(
        text_lm_llr_mean=("llr", "mean"),
        text_lm_llr_max=("llr", "max"),
        text_lm_machine_share=("machine", "mean"),
    )
    return out.reset_index().loc[:, columns]


def cross_fit_scores(
    account_texts: pd.DataFrame, labels: pd.Series, fold_of: pd.Series
) -> pd.DataFrame:
    """Out-of-fold :func:`account_text_scores` of every account in ``fold_of`` (fold
    number per ``account_id``): each fold's accounts are scored by a model fitted on the
    other folds' labelled accounts only, so no account's own texts are in the model that
    scores it. Accounts without texts get no row."""
    parts = []
    for fold in sorted(pd.unique(fold_of)):
        members = fold_of.index[fold_of.to_numpy() == fold]
        others = labels[~labels.index.isin(members)]
        lm = fit_text_lm(account_texts[account_texts["account_id"].isin(others.index)], others)
        parts.append(
            account_text_scores(lm, account_texts[account_texts["account_id"].isin(members)])
        )
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=["account_id", *TEXT_LM_FEATURES])
    return pd.concat(parts, ignore_index=True)


def with_text_scores(features: pd.DataFrame, scores: pd.DataFrame) -> pd.DataFrame:
    """``features`` with the :data:`TEXT_LM_FEATURES` columns of ``scores`` (per
    ``account_id``; NaN for an account without texts), replacing any already there."""
    out = features.drop(columns=[c for c in TEXT_LM_FEATURES if c in features.columns])
    merged = out.merge(
        scores.loc[:, ["account_id", *TEXT_LM_FEATURES]], on="account_id", how="left"
    )
    merged.index = features.index
    for c in TEXT_LM_FEATURES:
        merged[c] = merged[c].astype("float64")
    return merged
