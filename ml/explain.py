"""Reason codes: why the model scored an account as it did, in a reviewer's words.

Contributions are LightGBM's own TreeSHAP values (``pred_contrib=True``), so no extra
dependency is needed; the strongest positive contributions towards the class behind the
action become the ``reasons`` of the enforcement list, most important first.
"""

from __future__ import annotations

import math

import lightgbm as lgb
import numpy as np
import pandas as pd

from ml.features import CLASSES, FEATURES, feature_matrix


def _pct(v: float) -> str:
    return f"{v:.0%}"


def _secs(v: float) -> str:
    if v < 120:
        return f"{v:.0f} s"
    if v < 7200:
        return f"{v / 60:.0f} min"
    return f"{v / 3600:.1f} h"


# feature -> sentence with the account's value. Worded so that it is true whichever way
# the value pushed the score; the model decides which features matter, not the wording.
PHRASES: dict[str, callable] = {
    "active_days": lambda v: f"active on {v:.0f} days of the window",
    "events_per_active_day": lambda v: f"{v:.0f} actions per active day",
    "posts_per_active_day": lambda v: f"{v:.1f} posts per active day",
    "comments_per_active_day": lambda v: f"{v:.1f} comments per active day",
    "likes_per_active_day": lambda v: f"{v:.1f} likes per active day",
    "follows_per_active_day": lambda v: f"{v:.1f} follows per active day",
    "dms_per_active_day": lambda v: f"{v:.1f} direct messages per active day",
    "group_messages_per_active_day": lambda v: f"{v:.1f} group messages per active day",
    "logins_per_active_day": lambda v: f"{v:.1f} logins per active day",
    "gap_median_seconds": lambda v: f"typical pause between actions {_secs(v)}",
    "gap_cv": lambda v: f"pauses between actions vary by {v:.2f}x their mean (people: usually above 2)",
    "hour_entropy": lambda v: f"activity spread over the day at {_pct(v)} of round-the-clock",
    "night_share": lambda v: f"{_pct(v)} of activity between midnight and 6 am (platform time)",
    "daily_volume_cv": lambda v: f"daily activity varies by {v:.2f}x its mean from day to day",
    "longest_daily_gap_hours": lambda v: f"longest daily break {v:.1f} h",
    "api_client_share": lambda v: f"{_pct(v)} of actions through the API client",
    "web_client_share": lambda v: f"{_pct(v)} of actions from the web client",
    "distinct_devices": lambda v: f"uses {v:.0f} devices",
    "max_accounts_per_device": lambda v: f"a device it uses is shared by {v:.0f} accounts",
    "ip_country_count": lambda v: f"requests from {v:.0f} countries",
    "ip_declared_country_mismatch_share": lambda v: f"{_pct(v)} of requests from outside the declared country",
    "dm_reply_latency_median_seconds": lambda v: f"median reply to direct messages after {_secs(v)}",
    "dm_reply_under_10s_share": lambda v: f"replies to direct messages within 10 s {_pct(v)} of the time",
    "dm_inbound_answered_share": lambda v: f"answers {_pct(v)} of direct messages received",
    "comment_latency_median_seconds": lambda v: f"comments on posts a median {_secs(v)} after they appear",
    "text_length_mean": lambda v: f"texts average {v:.0f} characters",
    "text_length_cv": lambda v: f"text length varies by {v:.2f}x its mean",
    "char_variety_mean": lambda v: f"character variety {v:.2f} per text",
    "line_break_share": lambda v: f"{_pct(v)} of texts laid out over several lines",
    "list_marker_share": lambda v: f"{_pct(v)} of texts structured as lists",
    "emoji_share": lambda v: f"{_pct(v)} of texts with emoji",
    "text_shared_share": lambda v: f"{_pct(v)} of texts also posted by other accounts",
    "image_reused_share": lambda v: f"{_pct(v)} of images also used by other accounts",
    "ai_label_share": lambda v: f"{_pct(v)} of posts labelled AI-generated",
    "ai_metadata_share": lambda v: f"{_pct(v)} of posts carry an AI marker",
    "commercial_share": lambda v: f"{_pct(v)} of posts are commercial",
    "account_age_days": lambda v: f"account {v:.0f} days old",
    "log_follower_following_ratio": lambda v: f"follower/following ratio {math.exp(v):.2f}",
    "signup_via_api": lambda v: "registered through the API" if v >= 0.5 else "registered from an app",
    "avatar_shared": lambda v: "profile picture used by other accounts" if v >= 0.5 else "own profile picture",
    # added with issue 4
    "gap_mean_seconds": lambda v: f"average pause between actions {_secs(v)}",
    "gap_entropy": lambda v: f"pauses between actions as varied as {_pct(v)} of the possible range (clockwork: near 0%)",
    "weekday_entropy": lambda v: f"activity spread over the week at {_pct(v)} of perfectly even",
    "sessions_per_active_day": lambda v: f"{v:.1f} separate sessions per active day",
    "events_per_session": lambda v: f"{v:.1f} actions per session",
    "intra_session_gap_cv": lambda v: f"pauses within a session vary by {v:.2f}x their mean (timed scripts: near 0)",
    "session_burstiness": lambda v: f"session timing burstiness {v:+.2f} (-1 = strictly periodic, people: above 0)",
    "session_slot_repeat_share": lambda v: f"{_pct(v)} of sessions start at the same time of day as on other days",
    "location_declared_mismatch_share": lambda v: f"{_pct(v)} of post locations differ from the declared country",
    "location_ip_mismatch_share": lambda v: f"{_pct(v)} of post locations differ from where the connection comes from",
    "ip_signup_country_mismatch_share": lambda v: f"{_pct(v)} of requests from another country than the registration",
    "signup_declared_country_mismatch": lambda v: "registered from another country than the one declared" if v >= 0.5 else "registered in the declared country",
    "dm_reply_latency_cv": lambda v: f"direct-message reply time varies by only {v:.2f}x its mean" if v < 0.5 else f"direct-message reply time varies by {v:.2f}x its mean",
    "comment_under_60s_share": lambda v: f"{_pct(v)} of comments written within a minute of the post",
    "punctuation_share": lambda v: f"punctuation makes up {_pct(v)} of its text",
    "type_token_ratio_mean": lambda v: f"vocabulary variety {v:.2f} per text",
    "text_near_copy_share": lambda v: f"{_pct(v)} of texts are near-copies of other accounts' texts",
    "text_distinct_share": lambda v: f"only {_pct(v)} of its texts are distinct from each other" if v < 0.8 else f"{_pct(v)} of its texts are distinct",
    "commercial_share_change": lambda v: f"commercial posts {'rose' if v >= 0 else 'fell'} by {abs(v) * 100:.0f} points over its activity",
    "bio_shared": lambda v: "profile text used by other accounts" if v >= 0.5 else "own profile text",
    "follower_growth_per_day": lambda v: f"gains {v:.1f} followers a day",
    "following_growth_per_day": lambda v: f"follows {v:.1f} more accounts a day",
    "device_cluster_accounts": lambda v: f"shares devices with {v:.0f} other accounts",
    "device_lockstep_share": lambda v: f"{_pct(v)} of its active minutes coincide with accounts sharing its devices",
    "text_lockstep_share": lambda v: f"{_pct(v)} of texts posted by other accounts within the same 10 minutes",
}


def describe(feature: str, value: float) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return f"no data for {feature.replace('_', ' ')}"
    phrase = PHRASES.get(feature)
    return phrase(float(value)) if phrase else f"{feature.replace('_', ' ')} = {value:.3g}"


def contributions(features: pd.DataFrame, booster: lgb.Booster, cls: str) -> pd.DataFrame:
    """Per-account TreeSHAP contribution of each feature to the raw score of ``cls``."""
    k = CLASSES.index(cls)
    raw = np.asarray(booster.predict(feature_matrix(features), pred_contrib=True))
    width = len(FEATURES) + 1  # features then the bias term, per class
    block = raw[:, k * width:(k + 1) * width - 1]
    return pd.DataFrame(block, columns=list(FEATURES), index=features.index)


def reason_codes(features: pd.DataFrame, booster: lgb.Booster, cls: str, top: int = 3) -> pd.Series:
    """``; ``-joined sentences for the ``top`` features pushing each account towards ``cls``."""
    if features.empty:
        return pd.Series([], dtype=object, index=features.index)
    contrib = contributions(features, booster, cls).to_numpy()
    values = features.loc[:, list(FEATURES)].to_numpy(dtype="float64")
    order = np.argsort(-contrib, axis=1)[:, :top]
    reasons = []
    for row, idx in enumerate(order):
        parts = [describe(FEATURES[j], values[row, j]) for j in idx if contrib[row, j] > 0]
        reasons.append("; ".join(parts) if parts else "overall behaviour pattern")
    return pd.Series(reasons, index=features.index, dtype=object)


def explain_actions(features: pd.DataFrame, scores: pd.DataFrame, booster: lgb.Booster) -> pd.Series:
    """Reasons for every account with a ``proposed_action`` (None elsewhere).

    A ``terminate`` is explained towards ``ai_managed``; a ``warn_and_limit`` towards
    whichever AI class the model finds likelier for that account.
    """
    acted = scores["proposed_action"].notna().to_numpy()
    likelier_managed = (scores["score_ai_managed"] >= scores["score_ai_assisted"]).to_numpy()
    explain_as = np.where((scores["proposed_action"] == "terminate").to_numpy() | likelier_managed,
                          "ai_managed", "ai_assisted")
    reasons = pd.Series(None, index=scores.index, dtype=object)
    for cls in ("ai_managed", "ai_assisted"):
        pick = acted & (explain_as == cls)
        if pick.any():
            reasons[pick] = reason_codes(features[pick], booster, cls).to_numpy()
    return reasons
