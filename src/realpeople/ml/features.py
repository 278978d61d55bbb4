"""The feature contract between dbt's ``account_features`` mart and the model.

This list is the one declaration of what the model reads. Training checks the frame it
is given against it (:func:`check_features`), and a test checks that the dbt mart
produces exactly :data:`MART_FEATURES` and then :data:`MART_DESCRIPTORS` (columns for
other steps), so the two cannot drift apart silently. The
model also reads :data:`CLUSTER_FEATURES`, the structural coordination features of the
same snapshot (``account_cluster_features``, written right after each dbt build from the
co-activity graph; ``ml.coordination.structural_features``).
"""

from __future__ import annotations

import pandas as pd

from realpeople.ml.coordination import CLUSTER_FEATURE_COLUMNS
from realpeople.vocabulary import VERDICTS

KEY_COLUMNS = ("run_date", "account_id")

MART_FEATURES: tuple[str, ...] = (
    # rhythm and volume
    "active_days",
    "events_per_active_day",
    "posts_per_active_day",
    "comments_per_active_day",
    "likes_per_active_day",
    "follows_per_active_day",
    "dms_per_active_day",
    "group_messages_per_active_day",
    "logins_per_active_day",
    "gap_median_seconds",
    "gap_mean_seconds",
    "gap_cv",
    "gap_entropy",
    "hour_entropy",
    "weekday_entropy",
    "night_share",
    "daily_volume_cv",
    "longest_daily_gap_hours",
    "sessions_per_active_day",
    "events_per_session",
    "intra_session_gap_cv",
    "session_burstiness",
    "session_slot_recurrence",
    # clients, devices and countries
    "api_client_share",
    "web_client_share",
    "distinct_devices",
    "max_accounts_per_device",
    "ip_country_count",
    "ip_declared_country_mismatch_share",
    "location_declared_mismatch_share",
    "location_ip_mismatch_share",
    "ip_signup_country_mismatch_share",
    "signup_declared_country_mismatch",
    # responsiveness
    "dm_reply_latency_median_seconds",
    "dm_reply_under_10s_share",
    "dm_reply_latency_cv",
    "dm_inbound_answered_share",
    "comment_latency_median_seconds",
    "comment_under_60s_share",
    # content
    "post_tokens_mean",
    "post_tokens_cv",
    "line_break_share",
    "list_marker_share",
    "emoji_share",
    "punctuation_share",
    "type_token_ratio_mean",
    "text_shared_share",
    "text_near_copy_share",
    "text_distinct_share",
    "image_reused_share",
    "ai_label_share",
    "ai_metadata_share",
    "commercial_share",
    "commercial_share_change",
    # profile and growth
    "account_age_days",
    "log_follower_following_ratio",
    "signup_via_api",
    "avatar_shared",
    "bio_shared",
    "follower_growth_per_day",
    "following_growth_per_day",
    # coordination
    "device_cluster_accounts",
    "device_lockstep_share",
    "text_lockstep_share",
)

# Columns of the mart the model does not read, after MART_FEATURES. The coordination
# step's ring steadiness reads session_slot_repeat_share (MIN_RING_STEADINESS was set on
# it). The model read it until stop 29: a repeat on any one other day comes by chance to
# people with many sessions, and with every reviewed person at 0 on it, the trees cut
# next to them; people above the cut were terminated on seeds 7, 88 and 606 (docs/models.md,
# "Slots kept, not slots repeated"). It reads session_slot_recurrence instead.
MART_DESCRIPTORS: tuple[str, ...] = ("session_slot_repeat_share",)

# Every column of account_features, in the mart's order: what a snapshot built by this
# version holds (a warehouse whose mart differs was built by another version:
# defs.features.builds.mart_drift).
MART_COLUMNS: tuple[str, ...] = (*KEY_COLUMNS, *MART_FEATURES, *MART_DESCRIPTORS)

# Structural coordination features (no verdict, score or action in them: no label leak).
CLUSTER_FEATURES: tuple[str, ...] = CLUSTER_FEATURE_COLUMNS

# Neither the supervised character n-gram text scores (ml.textlm) nor the text
# regularity measures are features: measured on seeds 7, 21 and 33, the first terminated
# people who write in English and the second cost stealth recall on every seed
# (docs/models.md, "Text that reads as machine-written").
FEATURES: tuple[str, ...] = (*MART_FEATURES, *CLUSTER_FEATURES)

# Class order is the model's output order; every probability column follows it.
# The model's classes are the moderator verdicts, declared once in src/realpeople/vocabulary.py.
CLASSES: tuple[str, ...] = VERDICTS


class FeatureContractError(ValueError):
    """The frame handed to the model does not carry the declared features."""


def check_features(frame: pd.DataFrame) -> None:
    """Raise :class:`FeatureContractError` naming every declared feature that is missing."""
    missing = [c for c in FEATURES if c not in frame.columns]
    if missing:
        raise FeatureContractError(
            f"account_features lacks {len(missing)} declared feature(s): {', '.join(missing)}"
        )
    not_numeric = [c for c in FEATURES if not pd.api.types.is_numeric_dtype(frame[c])]
    if not_numeric:
        raise FeatureContractError(f"features must be numeric: {', '.join(not_numeric)}")


def feature_matrix(frame: pd.DataFrame, names=FEATURES) -> pd.DataFrame:
    """The declared features (or ``names``: a booster's own list, which a version trained
    before a feature was added keeps), in that order, as float64 (NULL -> NaN)."""
    check_features(frame)
    return frame.loc[:, list(names)].astype("float64")
