"""Enforcement policy: thresholds chosen on held-out data, and the tier they give.

Tiers (the platform's, see README):
- ``terminate``: automation runs the account. ``score_ai_managed`` at or above the
  lowest threshold whose held-out precision for ``ai_managed`` stays at or above the
  target (0.99). Wrongly terminating a person is the worst error, so the threshold is
  never below ``min_terminate_threshold`` whatever the data say.
- ``warn_and_limit``: AI use beyond assistance that does not reach the terminate bar:
  the probability that AI is involved at all (``score_ai_assisted + score_ai_managed``)
  at or above the lowest threshold whose held-out precision for "not human" is at or
  above ``warn_precision``.

Label noise. Review verdicts are wrong a few percent of the time, so even a perfect
model cannot show precision 0.99 against them: when a share ``label_noise`` of the
verdicts is flipped, measured precision is at most ``1 - label_noise``. The policy
therefore compares the measured precision with the target scaled by the labels'
accuracy, ``target * (1 - label_noise)``, and records both figures with the model. The
noise rate is a setting (``REALPEOPLE_LABEL_NOISE``), to be re-estimated from appeals
and double reviews as they accrue; 0 recovers the plain rule.

Small samples. With a few dozen flagged reviews, one or two flipped verdicts among the
top scores are enough to miss ``0.99 * (1 - noise)`` even for a model that ranks
perfectly (seen on an 8-day, 6,000-account world: 3 non-automation verdicts in 68
flagged, then a clean gap). Then the policy falls back to the cut with the highest
measured precision, only if that is at least ``fallback_precision`` (0.95), and records
``target_met = False`` (the model card and the gate show it); below that floor nobody is
terminated automatically and likely automation goes to review.

A bar off its lowest verdicts. The lowest cut that keeps precision rests on the
lowest-scoring ``ai_managed`` verdict it flags, so one verdict decides where the bar
sits, and with a few dozen of them that verdict often sits alone far below the rest
(seed 101: one at 0.662, the next at 0.860; between the two the run date held 156
automated accounts and 2 of the platform's 15,300 people, scheduler users, both
terminated: 250 reviewed people cannot sample a tail of 1 per 10,000). About ``label_noise`` of the verdicts are wrong,
and the lowest-scoring ``ai_managed`` verdicts are the likeliest of them; so the bar sets
aside the ``ceil(label_noise * n)`` lowest of the ``n`` it flags
(:func:`verdicts_possibly_flipped`; at least one whenever noise is allowed) and rests on
the next (``terminate_set_aside``, ``terminate_threshold_lowest`` record both). The
accounts between the two bars are the uncertain band: a moderator decides, and ring
evidence still acts there.

And off its highest other verdicts. The mirror case: a wrong verdict on real automation
(``ai_assisted`` or ``human`` on a farm account) scores with the automation, at the top,
and one such verdict above a few dozen ``ai_managed`` ones pushes every cut below it
under the precision target (seed 303: an ``ai_assisted`` verdict on a farm account at
0.994 over 23 ``ai_managed`` verdicts held the bar at 0.995, and 1,180 automated accounts
waited in the review queue). Of the ``n`` ``ai_managed`` verdicts at or above the floor,
about ``label_noise / (1 - label_noise) * n`` automated accounts carry another verdict;
so the ``ceil`` of that many highest-scoring other verdicts at or above the floor
(:func:`other_verdicts_possibly_flipped`) are set aside before the bar is chosen
(``terminate_others_set_aside``). They still count in the reported out-of-fold precision.
The run-date terminate guard (:class:`TerminateGuard`) is what catches a person the model
really scores that high: it counts audited people above the acting bar.

A bar that holds in most samples. The bar is the lowest cut that keeps precision on the
one sample of verdicts there is, and with a few dozen ``ai_managed`` verdicts that
choice is optimistic: it sits where this sample happens to look clean, and a single
verdict more or less moves it a long way. Seed 88 (22 ``ai_managed`` reviews in
training) showed it: five training seeds, the same verdicts, bars from 0.60 to 0.82, and
four of the five terminated 9 to 31 people (expats, regular users) sitting between them;
the rules above hold on every one of those samples. With ``bar_confidence`` set
(``REALPEOPLE_TERMINATE_BAR_CONFIDENCE``), the bar is also chosen on ``BAR_RESAMPLES``
bootstrap resamples of the verdicts (the same rules on each, the fallback included) and
acts at their ``bar_confidence`` quantile when that is higher than the sample's bar
(``terminate_threshold_sample`` records it); the accounts between the two bars are the
uncertain band. At 0.8 no training seed of seed 88 terminated a person, but it is off by
default: where only a handful of ``ai_managed`` verdicts score above the floor, a
resample often flags fewer than the five a cut needs, and the bar goes to 1.0 (seed 505:
no automatic termination at all, against recall 0.93 on the sample's bar with no person
terminated); see docs/models.md, "Training seeds: what one run hides". With hundreds of
clean verdicts the two bars nearly meet.

Confidence. A precision measured on a few hundred flagged accounts is uncertain; the
policy stores the one-sided 95 % Wilson lower bound beside the point estimate
(``terminate_precision_lower``, on the effective sample size when rows are weighted)
and ``target_met_with_confidence`` says whether that bound, too, clears the target.
The threshold itself follows the point estimate: with ~2 % flipped verdicts, the bound
of even a perfect model clears ``0.99 * (1 - noise)`` only with several hundred flagged
reviews, so demanding it would hand every small platform to the fallback.

Review queue. Between "act" and "leave alone" is an uncertain band that a moderator
should look at: ``score_ai_managed`` at or above ``review_managed_threshold`` (the
lowest score where at least half of the flagged reviews were automation) but below the
terminate bar. A cut flags the same reviews anywhere between the lowest flagged review
and the next review below it, so the evidence cannot place it within that stretch; the
terminate bar takes its top (the cautious end for an action), the review band reaches
down it (:func:`bottom_of_the_gap`; a moderator's look is cheap), though not below
``review_precision`` (0.5): where no review says how many accounts there are automated,
the calibrated score is the estimate, and the band wants at least half. Seed 707 shows
why: no impostor had been reviewed, the 130 reviews held nothing between 0.23 and 0.90,
and the 200 impostors scored 0.41-0.89 (median 0.81): with the band starting at the
lowest flagged review (0.902) they got neither an action nor a review. Taken down to the
floor (0.3) instead of 0.5, the band queued 85 more accounts on seed 606, nearly all
people (schedulers and power users at 0.30-0.34) (and, only if asked for, the any-AI probability at or above
``review_any_ai_threshold`` but below the warn bar). Those accounts get ``proposed_action = 'review'``; they are never
published as an enforcement action.

Warn tier. ``warn_and_limit`` is the action for a person in charge who takes AI help with
writing, so it reads the any-AI probability of accounts whose evidence points there:
:func:`warn_scores` is ``score_ai_managed + score_ai_assisted`` where
``score_ai_assisted >= score_ai_managed`` and 0 where the account leans to automation.
An account leaning to automation with an any-AI score over the warn bar, but under the
review band, goes to the review band: a moderator chooses between the tiers. Seed 404
(never run before) shows why: 84 people (schedulers and power users, ``score_ai_managed``
0.6–0.73 against an assisted score near 0.01, on their steady weekly spread and repeated
session starts) were warned through the any-AI sum, against 13 people among the 1,932
assisted-leaning warnings; on eight other worlds no person at all was warned while
leaning to automation. The warn bar itself stays the any-AI probability's, chosen on all
reviews (the ``ai_managed`` verdicts above it are AI too), and so does the warn guard's
count of audited people (see :func:`guarded_actions`).

Weights. Thresholds are chosen on unweighted precision over reviewed accounts (the noise
allowance assumes it); the population-weighted precision and the estimate of people
wrongly terminated per 10,000 (random audit) are reported beside them (:mod:`ml.evaluate`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

# Enforcement actions (published) and the uncertain band (a moderator decides; never
# published as an action): declared once, in src/realpeople/vocabulary.py.
from realpeople.vocabulary import (  # noqa: F401
    ACTIONS,
    REVIEW,
    TERMINATE,
    VERDICT_ACTION,
    WARN_AND_LIMIT,
)

WILSON_Z = 1.645  # one-sided 95 %
# "A bar that holds in most samples": with a share here, the terminate bar acts where it
# keeps the precision target in that share of bootstrap resamples of the verdicts
# (REALPEOPLE_TERMINATE_BAR_CONFIDENCE is its setting); off (0) by default, measured on
# eleven worlds in docs/models.md. Resamples drawn with a fixed seed.
TERMINATE_BAR_CONFIDENCE = 0.0
BAR_RESAMPLES = 200
BAR_RESAMPLING_SEED = 20261130
# Verdicts a warn bar is meant for: any AI involvement (every verdict that acts).
AI_VERDICTS = tuple(v for v, action in VERDICT_ACTION.items() if action is not None)


@dataclass(frozen=True)
class Policy:
    """The thresholds a model version acts with, and the evidence behind them."""

    terminate_threshold: float
    warn_threshold: float
    terminate_precision_target: float
    label_noise: float
    terminate_heldout_precision: float
    terminate_heldout_recall: float
    terminate_heldout_support: int
    warn_heldout_precision: float
    warn_heldout_recall: float
    target_met: bool
    # Defaults keep policies stored before these fields existed loadable (no review band).
    terminate_precision_lower: float = 0.0
    target_met_with_confidence: bool = False
    review_managed_threshold: float = 1.0
    review_any_ai_threshold: float = 1.0
    # The lowest cut that keeps precision, and how many of the lowest ai_managed verdicts it
    # flags were set aside to reach ``terminate_threshold`` (see "A bar off its lowest
    # verdicts"); -1.0 in policies stored before the rule.
    terminate_threshold_lowest: float = -1.0
    terminate_set_aside: int = 0
    # How many of the highest-scoring other verdicts (human, ai_assisted) at or above the
    # floor were set aside before the bar was chosen ("And off its highest other
    # verdicts"); 0 in policies stored before the rule.
    terminate_others_set_aside: int = 0
    # The bar on the one sample of verdicts, and the share of bootstrap resamples in which
    # the acting bar keeps the target ("A bar that holds in most samples"); -1.0 and 0.0 in
    # policies stored before the rule (they acted on the sample's bar).
    terminate_threshold_sample: float = -1.0
    terminate_bar_confidence: float = 0.0

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Policy:
        fields = cls.__dataclass_fields__
        return cls(**{k: type_of(fields[k].type)(v) for k, v in data.items() if k in fields})


def type_of(annotation: str):
    return {"float": float, "int": int, "bool": _bool}[annotation]


def _bool(value) -> bool:
    return value if isinstance(value, bool) else str(value).lower() in ("1", "true", "yes")


def precision_recall_at(
    is_positive: np.ndarray, score: np.ndarray, threshold: float, weights: np.ndarray | None = None
) -> tuple[float, float, int]:
    """(Weighted) precision, recall and number flagged when flagging ``score >= threshold``."""
    is_positive = np.asarray(is_positive, dtype=bool)
    w = np.ones(len(score)) if weights is None else np.asarray(weights, dtype="float64")
    flagged = np.asarray(score) >= threshold
    n_flagged = int(flagged.sum())
    w_flagged = w[flagged].sum()
    true_pos = w[flagged & is_positive].sum()
    precision = float(true_pos / w_flagged) if n_flagged else 1.0
    recall = float(true_pos / w[is_positive].sum()) if is_positive.any() else 0.0
    return precision, recall, n_flagged


def wilson_lower(precision: float, n: float, z: float = WILSON_Z) -> float:
    """One-sided Wilson lower bound of a proportion measured on ``n`` (effective) trials."""
    if n <= 0:
        return 0.0
    centre = precision + z * z / (2 * n)
    spread = z * np.sqrt(precision * (1 - precision) / n + z * z / (4 * n * n))
    return float(max(0.0, (centre - spread) / (1 + z * z / n)))


def wilson_upper(rate: float, n: float, z: float = WILSON_Z) -> float:
    """One-sided Wilson upper bound of a proportion measured on ``n`` trials (1.0 if none)."""
    if n <= 0:
        return 1.0
    return 1.0 - wilson_lower(1.0 - rate, n, z)


def people_flagged_upper_per_10k(
    labels, managed_scores, threshold: float, z: float = WILSON_Z
) -> tuple[int, int, float]:
    """(people reviewed, people at or above ``threshold``, one-sided 95 % upper bound of the
    share of people the bar flags, per 10,000 people). The harm a bar does is a rate among
    people, so its confidence rests on how many *people* were reviewed, not on how many
    automated accounts were: with none flagged among n reviewed people the bound is about
    z^2 / n (n = 100: ~260 per 10,000; n = 2,700: ~10 per 10,000)."""
    people = np.asarray(labels) == "human"
    n = int(people.sum())
    k = int((people & (np.asarray(managed_scores) >= threshold)).sum())
    return n, k, 1e4 * wilson_upper(k / n if n else 0.0, n, z)


def effective_n(weights: np.ndarray) -> float:
    """Kish's effective sample size of weighted rows."""
    weights = np.asarray(weights, dtype="float64")
    return float(weights.sum() ** 2 / (weights**2).sum()) if len(weights) else 0.0


def precision_lower_bound(
    is_positive: np.ndarray, score: np.ndarray, threshold: float, weights: np.ndarray | None = None
) -> float:
    w = np.ones(len(score)) if weights is None else np.asarray(weights, dtype="float64")
    flagged = np.asarray(score) >= threshold
    precision, _, _ = precision_recall_at(is_positive, score, threshold, w)
    return wilson_lower(precision, effective_n(w[flagged]))


def lowest_threshold_with_precision(
    is_positive: np.ndarray,
    score: np.ndarray,
    precision_target: float,
    floor: float,
    min_flagged: int = 5,
    weights: np.ndarray | None = None,
) -> float | None:
    """The lowest threshold >= ``floor`` whose (weighted) precision on (is_positive, score)
    meets the target with at least ``min_flagged`` accounts flagged; None if none does."""
    score = np.asarray(score, dtype="float64")
    w = np.ones(len(score)) if weights is None else np.asarray(weights, dtype="float64")
    order = np.argsort(-score, kind="stable")
    sorted_score = score[order]
    sorted_w = w[order]
    true_pos = np.cumsum(np.asarray(is_positive)[order] * sorted_w)
    precision = true_pos / np.cumsum(sorted_w)
    flagged = np.arange(1, len(score) + 1)
    # Only cut between distinct scores: ties are flagged together.
    last_of_tie = np.r_[sorted_score[1:] != sorted_score[:-1], True]
    ok = (
        last_of_tie
        & (precision >= precision_target)
        & (flagged >= min_flagged)
        & (sorted_score >= floor)
    )
    if not ok.any():
        return None
    return float(sorted_score[np.flatnonzero(ok).max()])


def choose_policy(
    labels: pd.Series,
    scores: pd.DataFrame,
    *,
    terminate_precision: float = 0.99,
    warn_precision: float = 0.95,
    label_noise: float = 0.02,
    min_terminate_threshold: float = 0.5,
    min_warn_threshold: float = 0.5,
    review_precision: float = 0.5,
    min_review_threshold: float = 0.3,
    weights: np.ndarray | None = None,
    review_any_ai_band: bool = False,
    fallback_precision: float = 0.95,
    bar_confidence: float = TERMINATE_BAR_CONFIDENCE,
) -> Policy:
    """Pick thresholds on held-out ``labels`` (verdicts) and ``scores`` (model output).

    ``scores`` has columns ``score_ai_managed`` and ``score_ai_assisted``. ``weights``
    (population weights) are accepted for symmetry with the metrics but, see below, do
    not move the thresholds. ``bar_confidence``: the share of bootstrap resamples of the
    verdicts in which the acting terminate bar keeps the target (0: the bar of the one
    sample, the plain rule).
    """
    if not 0.0 <= bar_confidence <= 1.0:
        raise ValueError(f"bar_confidence must be within [0, 1], got {bar_confidence}")
    labels = np.asarray(labels)
    managed = scores["score_ai_managed"].to_numpy()
    any_ai = managed + scores["score_ai_assisted"].to_numpy()
    accuracy = 1.0 - label_noise
    is_managed = labels == "ai_managed"
    is_ai = labels != "human"

    # Thresholds follow *unweighted* precision on the reviewed accounts: the errors among
    # flagged reviews are mostly flipped verdicts of real automation, and population
    # weights (which up-weight people) would inflate exactly those, so the noise allowance
    # would no longer hold. The weights still drive calibration, the reported population
    # precision, and the estimate of people wrongly terminated (random audit).
    bar = terminate_bar(
        is_managed,
        managed,
        terminate_precision * accuracy,
        min_terminate_threshold,
        label_noise,
        fallback_precision,
    )
    terminate, target_met = bar.threshold, bar.target_met
    sample_bar = terminate
    if target_met and bar_confidence > 0:
        # Off one sample of a few dozen verdicts the lowest bar that keeps precision is
        # optimistic (see "A bar that holds in most samples"): it acts at the resampled bar.
        terminate = max(
            terminate,
            resampled_terminate_bar(
                is_managed,
                managed,
                bar_confidence,
                terminate_precision * accuracy,
                min_terminate_threshold,
                label_noise,
                fallback_precision,
            ),
        )
    # The warn bar is the any-AI probability's: chosen on warn_scores (the accounts it
    # would warn, without those leaning to automation) it lost every ai_managed verdict
    # that held its precision up, and on seed 303 it found none (bar 1.0: 1.6 % of the
    # ai_assisted accounts warned instead of 96.8 %).
    warn = lowest_threshold_with_precision(
        is_ai, any_ai, warn_precision * accuracy, min_warn_threshold
    )
    if warn is None:
        warn = 1.0
    review_managed = lowest_threshold_with_precision(
        is_managed, managed, review_precision, min_review_threshold
    )
    if review_managed is not None:
        # Review is cheap: the band reaches down the stretch below that cut that no review
        # covers, as far as the calibrated score itself still says "at least half automation".
        review_managed = min(
            review_managed,
            max(bottom_of_the_gap(managed, review_managed, min_review_threshold), review_precision),
        )
    # The any-AI band is off unless asked for: warn_and_limit is itself a mild, appealable
    # action, and people vs. AI-assisted writing is the hardest call, so that band would
    # flood the queue (a fifth of the demo's accounts).
    review_any_ai = (
        lowest_threshold_with_precision(is_ai, any_ai, review_precision, min_review_threshold)
        if review_any_ai_band
        else None
    )
    t_prec, t_rec, t_n = precision_recall_at(is_managed, managed, terminate)
    t_low = precision_lower_bound(is_managed, managed, terminate)
    w_prec, w_rec, _ = precision_recall_at(is_ai, any_ai, warn)
    return Policy(
        terminate_threshold=terminate,
        warn_threshold=warn,
        terminate_precision_target=terminate_precision,
        label_noise=label_noise,
        terminate_heldout_precision=t_prec,
        terminate_heldout_recall=t_rec,
        terminate_heldout_support=t_n,
        warn_heldout_precision=w_prec,
        warn_heldout_recall=w_rec,
        target_met=target_met,
        terminate_precision_lower=t_low,
        target_met_with_confidence=bool(target_met and t_low >= terminate_precision * accuracy),
        review_managed_threshold=min(
            terminate, review_managed if review_managed is not None else terminate
        ),
        review_any_ai_threshold=min(warn, review_any_ai if review_any_ai is not None else warn),
        terminate_threshold_lowest=bar.lowest if bar.lowest is not None else terminate,
        terminate_set_aside=bar.set_aside if target_met else 0,
        terminate_others_set_aside=bar.others_set_aside,
        terminate_threshold_sample=sample_bar,
        terminate_bar_confidence=bar_confidence if target_met else 0.0,
    )


@dataclass(frozen=True)
class TerminateBar:
    """The terminate bar on one sample of verdicts: ``threshold``; ``target_met`` (False:
    the fallback's cut, or 1.0 when not even that); the lowest cut keeping precision
    (``lowest``, None if none) and the verdicts set aside on either side."""

    threshold: float
    target_met: bool
    lowest: float | None
    set_aside: int
    others_set_aside: int


def terminate_bar(
    is_managed: np.ndarray,
    managed: np.ndarray,
    precision_target: float,
    floor: float,
    label_noise: float,
    fallback_precision: float,
) -> TerminateBar:
    """The terminate bar on the verdicts ``is_managed`` and scores ``managed``: the lowest
    cut at or above ``floor`` keeping ``precision_target`` after the highest other
    verdicts are set aside, then raised off the lowest ``ai_managed`` verdicts it rests on
    (the module's "A bar off its lowest verdicts" and "And off its highest other
    verdicts"); else the fallback."""
    is_managed = np.asarray(is_managed, dtype=bool)
    managed = np.asarray(managed, dtype="float64")
    others_aside = highest_other_verdicts(is_managed, managed, floor, label_noise)
    kept_managed, kept_score = is_managed[~others_aside], managed[~others_aside]
    lowest = lowest_threshold_with_precision(kept_managed, kept_score, precision_target, floor)
    terminate, bar_floor, set_aside = lowest, floor, 0
    if lowest is not None:
        bar_floor, set_aside = bar_off_the_lowest_verdicts(
            kept_managed, kept_score, lowest, label_noise
        )
        terminate = lowest_threshold_with_precision(
            kept_managed, kept_score, precision_target, bar_floor
        )
    target_met = terminate is not None
    if terminate is None:
        terminate = best_precision_threshold(
            kept_managed, kept_score, fallback_precision, bar_floor
        )
    if terminate is None:
        # Nothing reaches even the floor: terminate nobody automatically (a score of 1.0
        # is never reached after calibration); likely automation goes to review.
        terminate = 1.0
    return TerminateBar(float(terminate), target_met, lowest, set_aside, int(others_aside.sum()))


def resampled_terminate_bar(
    is_managed: np.ndarray,
    managed: np.ndarray,
    confidence: float,
    precision_target: float,
    floor: float,
    label_noise: float,
    fallback_precision: float,
    resamples: int = BAR_RESAMPLES,
) -> float:
    """The ``confidence`` quantile of :func:`terminate_bar` over ``resamples`` bootstrap
    resamples of the verdicts (drawn with a fixed seed: the same verdicts give the same
    bar); in a resample where no cut keeps the target, the bar the policy would fall back
    to there (1.0 when none). See the module's "A bar that holds in most samples".
    """
    is_managed = np.asarray(is_managed, dtype=bool)
    managed = np.asarray(managed, dtype="float64")
    rng = np.random.default_rng(BAR_RESAMPLING_SEED)
    bars = np.empty(resamples)
    for b in range(resamples):
        rows = rng.integers(0, len(managed), len(managed))
        bar = terminate_bar(
            is_managed[rows],
            managed[rows],
            precision_target,
            floor,
            label_noise,
            fallback_precision,
        )
        bars[b] = bar.threshold
    return float(np.quantile(bars, confidence, method="higher"))


def verdicts_possibly_flipped(n: int, label_noise: float) -> int:
    """How many of ``n`` verdicts of a class may be wrong: ``ceil(label_noise * n)``."""
    return int(np.ceil(n * label_noise - 1e-9)) if n > 0 and label_noise > 0 else 0


def other_verdicts_possibly_flipped(n_positive: int, label_noise: float) -> int:
    """How many automated accounts may carry another verdict, given ``n_positive``
    ``ai_managed`` verdicts: ``ceil(label_noise / (1 - label_noise) * n_positive)``, the
    expected number of the class's flipped verdicts, rounded up."""
    if n_positive <= 0 or label_noise <= 0:
        return 0
    return int(np.ceil(n_positive * label_noise / (1.0 - label_noise) - 1e-9))


def highest_other_verdicts(
    is_positive: np.ndarray, score: np.ndarray, floor: float, label_noise: float
) -> np.ndarray:
    """Mask of the other (not ``is_positive``) verdicts set aside before the bar is chosen:
    the :func:`other_verdicts_possibly_flipped` highest-scoring of those at or above
    ``floor``, counted from the positives at or above it (see the module's "And off its
    highest other verdicts"). Ties at the last place are all set aside only if all fit."""
    is_positive = np.asarray(is_positive, dtype=bool)
    score = np.asarray(score, dtype="float64")
    k = other_verdicts_possibly_flipped(int((is_positive & (score >= floor)).sum()), label_noise)
    aside = np.zeros(len(score), dtype=bool)
    others = np.flatnonzero(~is_positive & (score >= floor))
    if k == 0 or len(others) == 0:
        return aside
    top = others[np.argsort(-score[others], kind="stable")]
    if len(top) > k and score[top[k]] == score[top[k - 1]]:
        # A tie straddles the k-th place: set aside only the scores strictly above it, so
        # that which of two equal verdicts counts never depends on the row order.
        top = top[score[top] > score[top[k - 1]]]
    aside[top[:k]] = True
    return aside


def bar_off_the_lowest_verdicts(
    is_positive: np.ndarray, score: np.ndarray, bar: float, label_noise: float
) -> tuple[float, int]:
    """(bar, k): ``bar`` raised to the score of the lowest positive it flags once the
    ``k`` lowest-scoring positives it flags are set aside, ``k`` =
    :func:`verdicts_possibly_flipped` of those positives (see the module's "A bar off its
    lowest verdicts"). Nothing left to rest on (every flagged positive set aside): 1.0,
    no automatic termination."""
    score = np.asarray(score, dtype="float64")
    flagged = np.sort(score[np.asarray(is_positive, dtype=bool) & (score >= bar)])
    k = verdicts_possibly_flipped(len(flagged), label_noise)
    if k == 0:
        return float(bar), 0
    if k >= len(flagged):
        return 1.0, k
    return float(max(bar, flagged[k])), k


def bottom_of_the_gap(score: np.ndarray, cut: float, floor: float) -> float:
    """The lowest threshold at or above ``floor`` that flags the same reviews as ``cut``:
    just above the highest score below ``cut`` (``floor`` if none is at or above it)."""
    score = np.asarray(score, dtype="float64")
    below = score[score < cut]
    if len(below) == 0 or below.max() < floor:
        return float(floor)
    return float(max(floor, np.nextafter(below.max(), np.inf)))


def best_precision_threshold(
    is_positive: np.ndarray,
    score: np.ndarray,
    floor_precision: float,
    floor: float,
    min_flagged: int = 5,
) -> float | None:
    """The fallback cut: the lowest threshold >= ``floor`` with the highest precision
    measured, if that precision is at least ``floor_precision``; None otherwise."""
    score = np.asarray(score, dtype="float64")
    order = np.argsort(-score, kind="stable")
    sorted_score = score[order]
    precision = np.cumsum(np.asarray(is_positive)[order]) / np.arange(1, len(score) + 1)
    last_of_tie = np.r_[sorted_score[1:] != sorted_score[:-1], True]
    ok = last_of_tie & (np.arange(1, len(score) + 1) >= min_flagged) & (sorted_score >= floor)
    if not ok.any():
        return None
    best = precision[ok].max()
    if best < floor_precision:
        return None
    return float(sorted_score[np.flatnonzero(ok & (precision >= best - 1e-12)).max()])


def recall_at_precision(
    is_positive: np.ndarray,
    score: np.ndarray,
    precision_target: float,
    weights: np.ndarray | None = None,
    min_flagged: int = 5,
) -> float:
    """The best recall any threshold reaches while keeping (weighted) precision at the
    target: the promotion gate's measure of a model's ranking, threshold-free."""
    threshold = lowest_threshold_with_precision(
        np.asarray(is_positive, dtype=bool),
        np.asarray(score, dtype="float64"),
        precision_target,
        floor=0.0,
        min_flagged=min_flagged,
        weights=weights,
    )
    if threshold is None:
        return 0.0
    return precision_recall_at(is_positive, score, threshold, weights)[1]


def time_folds(times, n_blocks: int = 5) -> list[tuple[np.ndarray, np.ndarray]]:
    """Forward-chaining folds for out-of-fold scores with no future in the past.

    Rows are ordered by ``times`` (review time) and cut into ``n_blocks`` blocks of
    about equal size; fold ``k`` fits on blocks ``0..k-1`` and scores block ``k``. The
    oldest block is never scored (nothing older to learn from); every other row is
    scored by a model that saw only reviews made before it. Returns (fit rows, scored
    rows) index arrays into ``times``."""
    times = np.asarray(pd.to_datetime(pd.Series(times)).to_numpy())
    order = np.argsort(times, kind="stable")
    n_blocks = int(max(2, min(n_blocks, len(order))))
    blocks = np.array_split(order, n_blocks)
    return [(np.sort(np.concatenate(blocks[:k])), np.sort(blocks[k])) for k in range(1, n_blocks)]


def flagged_needed(
    precision: float, target: float, z: float = WILSON_Z, limit: int = 1_000_000
) -> int | None:
    """How many flagged reviews a measured ``precision`` needs before its one-sided Wilson
    lower bound reaches ``target``; None if it never does (precision at or below the
    target, or more than ``limit``). With precision 1.0 this is ``z^2 t / (1 - t)``, rounded up: 89
    flagged reviews for t = 0.99 x 0.98, 268 for t = 0.99."""
    if precision <= target:
        return None
    lo, hi = 1, 1
    while wilson_lower(precision, hi, z) < target:
        hi *= 2
        if hi > limit:
            return None
    while lo < hi:  # the bound grows with n for a fixed precision above the target
        mid = (lo + hi) // 2
        if wilson_lower(precision, mid, z) >= target:
            hi = mid
        else:
            lo = mid + 1
    return lo


def warn_scores(managed, assisted) -> np.ndarray:
    """What the warn bar reads, per account: the any-AI probability (``managed +
    assisted``) where ``assisted >= managed``, else 0 (the account leans to automation;
    see the module's "Warn tier")."""
    managed = np.asarray(managed, dtype="float64")
    assisted = np.asarray(assisted, dtype="float64")
    return np.where(assisted >= managed, managed + assisted, 0.0)


def decide_actions(scores: pd.DataFrame, policy: Policy) -> pd.Series:
    """The proposed action per account: ``terminate``, ``warn_and_limit``, ``review`` or None.

    Order: terminate; then a likely-automation score below the terminate bar goes to
    review (a moderator chooses between terminate and a warning); then warn_and_limit on
    :func:`warn_scores`; an any-AI score over the warn bar that leans to automation goes
    to review; then an any-AI score in the band below the warn bar goes to review.
    """
    managed = scores["score_ai_managed"].to_numpy()
    assisted = scores["score_ai_assisted"].to_numpy()
    any_ai = managed + assisted
    action = np.select(
        [
            managed >= policy.terminate_threshold,
            managed >= policy.review_managed_threshold,
            warn_scores(managed, assisted) >= policy.warn_threshold,
            any_ai >= policy.warn_threshold,
            any_ai >= policy.review_any_ai_threshold,
        ],
        [TERMINATE, REVIEW, WARN_AND_LIMIT, REVIEW, REVIEW],
        default=None,
    )
    return pd.Series(action, index=scores.index, name="action", dtype=object)


@dataclass(frozen=True)
class TerminateGuard:
    """Whether the acting terminate bar may terminate automatically on this run date.

    Measured at scoring time, on the run date's own features: of the accounts whose latest
    verdict is ``human`` (reviewed people; the pipeline passes those drawn by the random
    audit, an unbiased sample of people, since user reports pick out people who look
    automated), how many the bar would terminate now. The thresholds' own out-of-fold
    figures cannot see a shift between the snapshots the model learned from and the one
    it scores (seen on simulator seed 8: the bar flagged none of 105 reviewed people out
    of fold, then terminated 512 people, 3.3 %, on the run date, whose features rest on
    twice the history); this count does (5 of 220 audited people).

    Verdicts are wrong a few percent of the time, so some "people" the bar flags are
    automation with a flipped verdict: about ``label_noise / (1 - label_noise)`` per
    audited account the bar flags whose verdict is ``ai_managed``
    (``expected_flipped``). The guard trips when the flagged people are more than those
    flips plus the allowed harm (``max_per_10k`` of the audited people) can explain: a
    one-sided Poisson test at ``alpha`` (5 %). The Wilson bounds of the rate are reported
    beside it: the upper bound rests on the number of people audited (with ~250 it stays
    near 100 per 10,000 even when none is flagged), so a guard on it would switch off
    automatic termination on every platform with scarce reviews."""

    people_reviewed: int
    people_flagged: int
    lower_per_10k: float
    upper_per_10k: float
    max_per_10k: float
    tripped: bool
    expected_flipped: float = 0.0
    p_value: float = 1.0

    def to_dict(self) -> dict:
        return asdict(self)


def terminate_guard(
    verdicts,
    managed_scores,
    threshold: float,
    max_per_10k: float,
    label_noise: float = 0.02,
    alpha: float = 0.05,
    z: float = WILSON_Z,
    meant_for: tuple[str, ...] = ("ai_managed",),
) -> TerminateGuard:
    """The guard (see :class:`TerminateGuard`) from the latest verdicts of audited
    accounts and their ``score_ai_managed`` on the run date (same order). ``meant_for``:
    the verdicts the bar is meant to catch, whose flips into ``human`` are expected
    (:func:`warn_guard` passes both AI classes with the any-AI score)."""
    from scipy.stats import poisson

    verdicts = np.asarray(verdicts)
    flagged = np.asarray(managed_scores, dtype="float64") >= threshold
    people = verdicts == "human"
    n = int(people.sum())
    k = int((people & flagged).sum())
    meant = np.isin(verdicts, list(meant_for))
    flipped = float((flagged & meant).sum() * label_noise / (1 - label_noise))
    expected = flipped + n * max_per_10k / 1e4
    p_value = (
        float(poisson.sf(k - 1, expected)) if k > 0 and expected > 0 else (0.0 if k > 0 else 1.0)
    )
    rate = k / n if n else 0.0
    lower = 1e4 * (1.0 - wilson_upper(1.0 - rate, n, z)) if n else 0.0
    upper = 1e4 * wilson_upper(rate, n, z)
    return TerminateGuard(
        people_reviewed=n,
        people_flagged=k,
        lower_per_10k=float(lower),
        upper_per_10k=float(upper),
        max_per_10k=float(max_per_10k),
        tripped=bool(n > 0 and p_value < alpha),
        expected_flipped=flipped,
        p_value=p_value,
    )


def hold_terminations(actions: pd.Series, guard: TerminateGuard) -> pd.Series:
    """``terminate`` becomes ``review`` (a moderator decides) while ``guard`` is tripped."""
    if not guard.tripped:
        return actions
    return actions.mask(actions == TERMINATE, REVIEW)


@dataclass(frozen=True)
class WarnGuard:
    """The warn bar the run date acts with, and why.

    The policy's warn bar is chosen for precision on reviewed accounts, where people and
    AI use are about as common as user reports and the audit make them; that bar can
    still warn a share of the platform's people far beyond the harm allowed (seed 88:
    the bar 0.67 warned 2.7 % of people, 38 % of expats). Like :class:`TerminateGuard` it
    is measured on the run date's own scores of the random audit's people; unlike it, a
    warning is mild and appealable and most warned accounts are right, so instead of
    holding every warning the guard *raises* the bar to the lowest score at which the
    audited people it flags are no more than flipped verdicts plus ``max_per_10k`` per
    10,000 can explain (the same one-sided Poisson test). Warnings between the two bars
    are withheld (no action). With a few hundred audited people the test cannot see
    rates near 10 per 10,000; it removes gross excess, it does not certify the rate."""

    policy_bar: float
    acting_bar: float
    at_policy_bar: TerminateGuard
    at_acting_bar: TerminateGuard

    @property
    def raised(self) -> bool:
        return self.acting_bar > self.policy_bar

    def to_dict(self) -> dict:
        return {
            "policy_bar": self.policy_bar,
            "acting_bar": self.acting_bar,
            "raised": self.raised,
            "at_policy_bar": self.at_policy_bar.to_dict(),
            "at_acting_bar": self.at_acting_bar.to_dict(),
        }


def warn_guard(
    verdicts,
    any_ai_scores,
    threshold: float,
    max_per_10k: float,
    label_noise: float = 0.02,
    alpha: float = 0.05,
) -> WarnGuard:
    """The warn bar to act with (see :class:`WarnGuard`) from the latest verdicts of
    audited accounts and their any-AI score (``score_ai_assisted + score_ai_managed``) on
    the run date, same order. Candidate bars are the policy's and, above it, each audited
    person's score nudged up (the lowest bar that no longer flags that person); the first
    that passes the test acts. Above every audited person nothing is left to flag them."""
    scores = np.asarray(any_ai_scores, dtype="float64")
    verdicts = np.asarray(verdicts)

    def test(bar: float) -> TerminateGuard:
        return terminate_guard(
            verdicts, scores, bar, max_per_10k, label_noise, alpha, meant_for=AI_VERDICTS
        )

    first = test(threshold)
    bar, last = threshold, first
    if first.tripped:
        people = np.unique(scores[(verdicts == "human") & (scores >= threshold)])
        for score in people:
            bar = float(np.nextafter(score, np.inf))
            last = test(bar)
            if not last.tripped:
                break
    return WarnGuard(policy_bar=threshold, acting_bar=bar, at_policy_bar=first, at_acting_bar=last)


def withhold_warnings(
    actions: pd.Series, any_ai, guard: WarnGuard, policy: Policy | None = None
) -> pd.Series:
    """``warn_and_limit`` below the guard's acting bar becomes no action; or ``review`` when
    ``policy`` sends the any-AI band below its warn bar to moderators (``review_any_ai_band``),
    as :func:`decide_actions` would for a score under the bar."""
    if not guard.raised:
        return actions
    band = policy is not None and policy.review_any_ai_threshold < policy.warn_threshold
    below = np.asarray(any_ai, dtype="float64") < guard.acting_bar
    return actions.mask((actions == WARN_AND_LIMIT) & below, REVIEW if band else None)


@dataclass(frozen=True)
class GuardedActions:
    """The proposed action per account after both run-date guards, with the guards and
    how many actions they moved (``held``: terminations sent to review; ``withheld``:
    warnings dropped)."""

    actions: pd.Series
    guard: TerminateGuard
    wguard: WarnGuard
    held: int
    withheld: int


def guarded_actions(
    scores: pd.DataFrame,
    audited: pd.DataFrame,
    policy: Policy,
    *,
    terminate_per_10k: float,
    warn_per_10k: float,
    label_noise: float,
) -> GuardedActions:
    """What ``account_scores`` proposes: :func:`decide_actions` on ``scores`` (one row per
    account: ``score_ai_managed``, ``score_ai_assisted``), then the terminate guard and
    the warn guard measured on ``audited`` (the random audit's latest verdicts with the
    same two scores: one row per audited account)."""
    actions = decide_actions(scores, policy)
    guard = terminate_guard(
        audited["verdict"],
        audited["score_ai_managed"],
        policy.terminate_threshold,
        terminate_per_10k,
        label_noise=label_noise,
    )
    held = int((actions == TERMINATE).sum()) if guard.tripped else 0
    actions = hold_terminations(actions, guard)
    # The warn guard counts the audited people over the any-AI bar, those leaning to
    # automation (sent to review, not warned) included: a bound from above. Counting only
    # the ones warned also drops the audited ai_managed accounts from the flipped-verdict
    # allowance; on seed 303 that tripped the guard on 4 "people" (mostly flipped
    # ai_assisted verdicts) and withheld 1,495 of 2,100 right warnings.
    wguard = warn_guard(
        audited["verdict"],
        audited["score_ai_managed"].to_numpy() + audited["score_ai_assisted"].to_numpy(),
        policy.warn_threshold,
        warn_per_10k,
        label_noise=label_noise,
    )
    warned = actions == WARN_AND_LIMIT
    any_ai = scores["score_ai_managed"].to_numpy() + scores["score_ai_assisted"].to_numpy()
    actions = withhold_warnings(actions, any_ai, wguard, policy)
    withheld = int((warned & (actions != WARN_AND_LIMIT)).sum())
    return GuardedActions(actions, guard, wguard, held, withheld)
