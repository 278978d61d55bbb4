"""Reason codes: why the model scored an account as it did, in a reviewer's words.

Contributions are LightGBM's own TreeSHAP values (``pred_contrib=True``), so no extra
dependency is needed; the strongest positive contributions towards the class behind the
action become the ``reasons`` of the enforcement list, most important first. Each reason
gives the account's value and, beside it, the median of reviewed people ("replies to
direct messages within 10 s 94% of the time (typical person: 0%)"), so a moderator sees
which way the account departs from ordinary behaviour.
"""

from __future__ import annotations

import math

import lightgbm as lgb
import numpy as np
import pandas as pd

from realpeople.ml.score import AccountModel, as_model, feature_array


def _pct(v: float) -> str:
    return f"{v:.0%}"


def _secs(v: float) -> str:
    if v < 120:
        return f"{v:.0f} s"
    if v < 7200:
        return f"{v / 60:.0f} min"
    return f"{v / 3600:.1f} h"


def _n0(v: float) -> str:
    return f"{v:.0f}"


def _n1(v: float) -> str:
    return f"{v:.1f}"


def _x(v: float) -> str:
    return f"{v:.2f}x"


def _ratio(v: float) -> str:
    return f"{math.exp(v):.2f}"


# feature -> (sentence with a slot for the account's value, how to print a value). Worded
# so that it is true whichever way the value pushed the score; the model decides which
# features matter, the comparison with a typical person shows the direction.
PHRASES: dict[str, tuple[str, callable]] = {
    "active_days": ("active on {} days of the window", _n0),
    "events_per_active_day": ("{} actions per active day", _n0),
    "posts_per_active_day": ("{} posts per active day", _n1),
    "comments_per_active_day": ("{} comments per active day", _n1),
    "likes_per_active_day": ("{} likes per active day", _n1),
    "follows_per_active_day": ("{} follows per active day", _n1),
    "dms_per_active_day": ("{} direct messages per active day", _n1),
    "group_messages_per_active_day": ("{} group messages per active day", _n1),
    "logins_per_active_day": ("{} logins per active day", _n1),
    "gap_median_seconds": ("typical pause between actions {}", _secs),
    "gap_cv": ("pauses between actions vary by {} their mean", _x),
    "hour_entropy": ("activity spread over {} of the day's hours (evenly = 100%)", _pct),
    "night_share": ("{} of activity between midnight and 6 am (platform time)", _pct),
    "daily_volume_cv": ("daily activity varies by {} its mean from day to day", _x),
    "longest_daily_gap_hours": ("longest daily break {} h", _n1),
    "api_client_share": ("{} of actions through the API client", _pct),
    "web_client_share": ("{} of actions from the web client", _pct),
    "distinct_devices": ("uses {} devices", _n0),
    "max_accounts_per_device": ("a device it uses is shared by {} accounts", _n0),
    "ip_country_count": ("requests from {} countries", _n0),
    "ip_declared_country_mismatch_share": (
        "{} of requests from outside the declared country",
        _pct,
    ),
    "dm_reply_latency_median_seconds": ("median reply to direct messages after {}", _secs),
    "dm_reply_under_10s_share": ("replies to direct messages within 10 s {} of the time", _pct),
    "dm_inbound_answered_share": ("answers {} of direct messages received", _pct),
    "comment_latency_median_seconds": ("comments on posts a median {} after they appear", _secs),
    "post_tokens_mean": ("posts average {} words (a CJK character counts as one)", _n0),
    "post_tokens_cv": ("post length varies by {} its mean", _x),
    "line_break_share": ("{} of texts laid out over several lines", _pct),
    "list_marker_share": ("{} of texts structured as lists", _pct),
    "emoji_share": ("{} of texts with emoji", _pct),
    "text_shared_share": ("{} of texts also posted by other accounts", _pct),
    "image_reused_share": ("{} of images also used by other accounts", _pct),
    "ai_label_share": ("{} of posts labelled AI-generated", _pct),
    "ai_metadata_share": ("{} of posts carry an AI marker", _pct),
    "commercial_share": ("{} of posts are commercial", _pct),
    "account_age_days": ("account {} days old", _n0),
    "log_follower_following_ratio": ("follower/following ratio {}", _ratio),
    # added with issue 4
    "gap_mean_seconds": ("average pause between actions {}", _secs),
    "gap_entropy": (
        "pauses between actions as varied as {} of the possible range (clockwork: near 0%)",
        _pct,
    ),
    "weekday_entropy": ("activity spread over the week at {} of perfectly even", _pct),
    "sessions_per_active_day": ("{} separate sessions per active day", _n1),
    "events_per_session": ("{} actions per session", _n1),
    "intra_session_gap_cv": (
        "pauses within a session vary by {} their mean (timed scripts: near 0)",
        _x,
    ),
    "session_burstiness": (
        "session timing burstiness {} (-1 = strictly periodic)",
        lambda v: f"{v:+.2f}",
    ),
    "session_slot_repeat_share": (
        "{} of sessions start at the same time of day as on other days",
        _pct,
    ),
    "session_slot_recurrence": (
        "a session's time of day recurs on {} of the other active days",
        _pct,
    ),
    "location_declared_mismatch_share": (
        "{} of post locations differ from the declared country",
        _pct,
    ),
    "location_ip_mismatch_share": (
        "{} of post locations differ from where the connection comes from",
        _pct,
    ),
    "ip_signup_country_mismatch_share": (
        "{} of requests from another country than the registration",
        _pct,
    ),
    "dm_reply_latency_cv": ("direct-message reply time varies by {} its mean", _x),
    "comment_under_60s_share": ("{} of comments written within a minute of the post", _pct),
    "punctuation_share": ("punctuation makes up {} of its text", _pct),
    "type_token_ratio_mean": ("vocabulary variety {} per text", lambda v: f"{v:.2f}"),
    "text_near_copy_share": ("{} of texts are near-copies of other accounts' texts", _pct),
    "text_distinct_share": ("{} of its texts are distinct from each other", _pct),
    "commercial_share_change": (
        "commercial share of posts changed by {} over its activity",
        lambda v: f"{v * 100:+.0f} points",
    ),
    "follower_growth_per_day": ("gains {} followers a day", _n1),
    "following_growth_per_day": ("follows {} more accounts a day", _n1),
    "device_cluster_accounts": ("shares devices with {} other accounts", _n0),
    "device_lockstep_share": (
        "{} of its active minutes coincide with accounts sharing its devices",
        _pct,
    ),
    "text_lockstep_share": (
        "{} of texts posted by other accounts within the same 10 minutes",
        _pct,
    ),
    "cotarget_strongest_share": (
        "shares {} of the posts and accounts it engages with one other account, at once",
        _pct,
    ),
    "cotarget_strongest_tie_per_week": (
        "{} such shared targets a week with one other account",
        _n1,
    ),
    "cluster_size": ("in a co-activity cluster of {} accounts", _n0),
    "cluster_ties": ("tied to {} accounts of its co-activity cluster", _n0),
    "text_company_shared_share": (
        "the accounts it shares texts with post shared texts {} of the time",
        _pct,
    ),
    "cluster_steadiness": (
        "the other members of its co-activity cluster repeat {} of their daily slots",
        _pct,
    ),
}
# Yes/no features: a sentence each way, no "typical person" figure.
FLAGS: dict[str, tuple[str, str]] = {
    "signup_via_api": ("registered through the API", "registered from an app"),
    "avatar_shared": ("profile picture used by other accounts", "own profile picture"),
    "signup_declared_country_mismatch": (
        "registered from another country than the one declared",
        "registered in the declared country",
    ),
    "bio_shared": ("profile text used by other accounts", "own profile text"),
    "cluster_is_ring": (
        "member of a small co-activity ring that keeps daily slots",
        "not in a co-activity ring",
    ),
}


def describe(feature: str, value: float, typical: float | None = None) -> str:
    """The account's value in words; with ``typical``, the typical person's value beside it."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return f"no data for {feature.replace('_', ' ')}"
    value = float(value)
    if feature in FLAGS:
        return FLAGS[feature][0] if value >= 0.5 else FLAGS[feature][1]
    if feature not in PHRASES:
        return f"{feature.replace('_', ' ')} = {value:.3g}"
    template, fmt = PHRASES[feature]
    text = template.format(fmt(value))
    if typical is not None and not math.isnan(typical) and fmt(typical) != fmt(value):
        text += f" (typical person: {fmt(typical)})"
    return text


def direction(value: float, typical: float | None) -> str:
    """``higher``/``lower`` than the typical person, ``same``, or ``unknown``."""
    if typical is None or value is None or math.isnan(value) or math.isnan(typical):
        return "unknown"
    return "higher" if value > typical else "lower" if value < typical else "same"


def contributions(
    features, model: AccountModel | lgb.Booster, cls: str, num_threads: int | None = None
) -> pd.DataFrame:
    """Per-account TreeSHAP contribution of each feature to the raw score of ``cls``.

    In the booster's log-odds space: calibration is monotone per class, so the sign (and
    the ranking) of the evidence is the same for the calibrated probability. Computed on
    the class's own trees only (``ml.score.class_booster``: the same values as that class's
    block of the full booster's ``pred_contrib``, at a third of the cost). ``features``: a
    pandas frame, an Arrow table or the feature matrix (``ml.score.feature_array``).
    """
    scorer = as_model(model)
    names = _names(scorer)
    block = _contribution_matrix(feature_array(features, names), scorer, cls, num_threads)
    index = features.index if isinstance(features, pd.DataFrame) else None
    return pd.DataFrame(block, columns=names, index=index)


def _names(model: AccountModel) -> list[str]:
    """The booster's own features, in its order: a version trained before a feature was
    added still explains."""
    return list(model.booster.feature_name())


def _contribution_matrix(
    x: np.ndarray, model: AccountModel, cls: str, num_threads: int | None
) -> np.ndarray:
    extra = {} if num_threads is None else {"num_threads": num_threads}
    raw = np.asarray(model.class_booster(cls).predict(x, pred_contrib=True, **extra))
    return raw[:, : x.shape[1]]  # the last column is the bias term


def _typical_array(typical: dict[str, float], names: list[str]) -> np.ndarray:
    """The typical person's value per feature (NaN where none, and for yes/no features)."""
    return np.array(
        [
            np.nan if name in FLAGS or typical.get(name) is None else float(typical[name])
            for name in names
        ],
        dtype="float64",
    )


def _top_positive(contrib: np.ndarray, top: int) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the ``top`` features by contribution (descending) and which of them push
    towards the class (contribution > 0): those are the reasons, in that order."""
    order = np.argsort(-contrib, axis=1)[:, :top]
    positive = np.take_along_axis(contrib, order, axis=1) > 0
    return order, positive


def _texts(
    values: np.ndarray,
    order: np.ndarray,
    positive: np.ndarray,
    typical: dict[str, float],
    names: list[str],
) -> np.ndarray:
    """The reason sentences (rows x top, None where no reason), worded once per distinct
    (feature, value): counts, flags and shares repeat across accounts."""
    texts = np.full(order.shape, None, dtype=object)
    rows, ranks = np.nonzero(positive)
    features = order[rows, ranks]
    picked = values[rows, features]
    for j in np.unique(features):
        at = features == j
        name = names[j]
        ref = typical.get(name) if name not in FLAGS else None
        distinct, inverse = np.unique(picked[at], return_inverse=True)
        words = np.array([describe(name, v, ref) for v in distinct], dtype=object)
        texts[rows[at], ranks[at]] = words[inverse.reshape(-1)]
    return texts


def reason_table(
    features, model: AccountModel | lgb.Booster, cls: str, top: int = 3
) -> pd.DataFrame:
    """The ``top`` features pushing each account towards ``cls``, one row per reason.

    Columns: ``row`` (position in ``features``), ``rank``, ``feature``, ``value``,
    ``typical_person``, ``direction`` (account vs typical person), ``contribution`` and
    ``text``. Only features that push towards ``cls`` (contribution > 0) are reasons.
    """
    scorer = as_model(model)
    names = _names(scorer)
    values = feature_array(features, names)
    contrib = _contribution_matrix(values, scorer, cls, None)
    order, positive = _top_positive(contrib, top)
    texts = _texts(values, order, positive, scorer.typical_person, names)
    rows, ranks = np.nonzero(positive)
    j = order[rows, ranks]
    value = values[rows, j]
    ref = _typical_array(scorer.typical_person, names)[j]
    direction = np.select(
        [np.isnan(value) | np.isnan(ref), value > ref, value < ref],
        ["unknown", "higher", "lower"],
        default="same",
    )
    return pd.DataFrame(
        {
            "row": rows,
            "rank": ranks + 1,
            "feature": np.asarray(names, dtype=object)[j],
            "value": value,
            "typical_person": ref,
            "direction": direction.astype(object),
            "contribution": contrib[rows, j],
            "text": texts[rows, ranks],
        }
    )


def reasons_in_words(
    x: np.ndarray,
    model: AccountModel | lgb.Booster,
    cls: str,
    top: int = 3,
    num_threads: int | None = None,
) -> np.ndarray:
    """``; ``-joined sentences for the ``top`` features pushing each row of the feature
    matrix ``x`` (the booster's own features: ``feature_array(features,
    booster.feature_name())``) towards ``cls`` (one string per row; "overall behaviour
    pattern" when no feature pushes that way). No per-row Python beyond the final join."""
    scorer = as_model(model)
    if len(x) == 0:
        return np.array([], dtype=object)
    contrib = _contribution_matrix(x, scorer, cls, num_threads)
    order, positive = _top_positive(contrib, top)
    texts = _texts(x, order, positive, scorer.typical_person, _names(scorer))
    return np.array(
        [
            "; ".join(t for t in row if t is not None) or "overall behaviour pattern"
            for row in texts
        ],
        dtype=object,
    )


def reason_codes(
    features: pd.DataFrame, model: AccountModel | lgb.Booster, cls: str, top: int = 3
) -> pd.Series:
    """``; ``-joined sentences for the ``top`` features pushing each account towards ``cls``."""
    if features.empty:
        return pd.Series([], dtype=object, index=features.index)
    reasons = reasons_in_words(feature_array(features, _names(as_model(model))), model, cls, top)
    return pd.Series(reasons, index=features.index, dtype=object)


def explain_actions(
    features,
    scores: pd.DataFrame,
    model: AccountModel | lgb.Booster,
    num_threads: int | None = None,
) -> pd.Series:
    """Reasons for every account with a ``proposed_action`` (None elsewhere).

    A ``terminate`` is explained towards ``ai_managed``; a ``warn_and_limit`` or a
    ``review`` towards whichever AI class the model finds likelier for that account.
    TreeSHAP runs on those accounts only (they are the ones whose reasons are read: the
    enforcement list, the review queue, the statements of reasons, the report), each
    towards its one class. ``features``: rows in the order of ``scores``, as a pandas
    frame, an Arrow table or the feature matrix (``ml.score.feature_array``).
    """
    acted = scores["proposed_action"].notna().to_numpy()
    likelier_managed = (scores["score_ai_managed"] >= scores["score_ai_assisted"]).to_numpy()
    explain_as = np.where(
        (scores["proposed_action"] == "terminate").to_numpy() | likelier_managed,
        "ai_managed",
        "ai_assisted",
    )
    reasons = np.full(len(scores), None, dtype=object)
    if acted.any():
        x = feature_array(features, _names(as_model(model)))
        for cls in ("ai_managed", "ai_assisted"):
            pick = np.flatnonzero(acted & (explain_as == cls))
            if len(pick):
                reasons[pick] = reasons_in_words(x[pick], model, cls, num_threads=num_threads)
    return pd.Series(reasons, index=scores.index, dtype=object)
