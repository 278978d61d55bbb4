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

from realpeople.ml.features import CLASSES, feature_matrix
from realpeople.ml.score import AccountModel, as_model


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
    "text_length_mean": ("texts average {} characters", _n0),
    "text_length_cv": ("text length varies by {} its mean", _x),
    "char_variety_mean": ("character variety {} per text", lambda v: f"{v:.2f}"),
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
    features: pd.DataFrame, model: AccountModel | lgb.Booster, cls: str
) -> pd.DataFrame:
    """Per-account TreeSHAP contribution of each feature to the raw score of ``cls``.

    In the booster's log-odds space: calibration is monotone per class, so the sign (and
    the ranking) of the evidence is the same for the calibrated probability.
    """
    booster = as_model(model).booster
    # the booster's own features: a version trained before a feature was added explains too
    names = booster.feature_name()
    k = CLASSES.index(cls)
    raw = np.asarray(booster.predict(feature_matrix(features, names), pred_contrib=True))
    width = len(names) + 1  # features then the bias term, per class
    block = raw[:, k * width : (k + 1) * width - 1]
    return pd.DataFrame(block, columns=names, index=features.index)


def reason_table(
    features: pd.DataFrame, model: AccountModel | lgb.Booster, cls: str, top: int = 3
) -> pd.DataFrame:
    """The ``top`` features pushing each account towards ``cls``, one row per reason.

    Columns: ``row`` (position in ``features``), ``rank``, ``feature``, ``value``,
    ``typical_person``, ``direction`` (account vs typical person), ``contribution`` and
    ``text``. Only features that push towards ``cls`` (contribution > 0) are reasons.
    """
    typical = as_model(model).typical_person
    contrib_frame = contributions(features, model, cls)
    contrib = contrib_frame.to_numpy()
    values = feature_matrix(features, list(contrib_frame.columns)).to_numpy()
    order = np.argsort(-contrib, axis=1)[:, :top]
    rows = []
    for row, idx in enumerate(order):
        for rank, j in enumerate(k for k in idx if contrib[row, k] > 0):
            name = contrib_frame.columns[j]
            ref = typical.get(name) if name not in FLAGS else None
            rows.append(
                {
                    "row": row,
                    "rank": rank + 1,
                    "feature": name,
                    "value": values[row, j],
                    "typical_person": ref,
                    "direction": direction(values[row, j], ref),
                    "contribution": float(contrib[row, j]),
                    "text": describe(name, values[row, j], ref),
                }
            )
    return pd.DataFrame(
        rows,
        columns=[
            "row",
            "rank",
            "feature",
            "value",
            "typical_person",
            "direction",
            "contribution",
            "text",
        ],
    )


def reason_codes(
    features: pd.DataFrame, model: AccountModel | lgb.Booster, cls: str, top: int = 3
) -> pd.Series:
    """``; ``-joined sentences for the ``top`` features pushing each account towards ``cls``."""
    if features.empty:
        return pd.Series([], dtype=object, index=features.index)
    table = reason_table(features, model, cls, top)
    joined = table.groupby("row")["text"].agg("; ".join)
    reasons = [joined.get(i, "overall behaviour pattern") for i in range(len(features))]
    return pd.Series(reasons, index=features.index, dtype=object)


def explain_actions(
    features: pd.DataFrame, scores: pd.DataFrame, model: AccountModel | lgb.Booster
) -> pd.Series:
    """Reasons for every account with a ``proposed_action`` (None elsewhere).

    A ``terminate`` is explained towards ``ai_managed``; a ``warn_and_limit`` or a
    ``review`` towards whichever AI class the model finds likelier for that account.
    """
    acted = scores["proposed_action"].notna().to_numpy()
    likelier_managed = (scores["score_ai_managed"] >= scores["score_ai_assisted"]).to_numpy()
    explain_as = np.where(
        (scores["proposed_action"] == "terminate").to_numpy() | likelier_managed,
        "ai_managed",
        "ai_assisted",
    )
    reasons = pd.Series(None, index=scores.index, dtype=object)
    for cls in ("ai_managed", "ai_assisted"):
        pick = acted & (explain_as == cls)
        if pick.any():
            reasons[pick] = reason_codes(features[pick], model, cls).to_numpy()
    return reasons
