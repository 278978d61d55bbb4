-- One row per (run_date, account_id): every account known as of the run date, with its
-- features over the window ending that day. Incremental, replacing whole run dates
-- (delete+insert on the key on DuckDB, insert_overwrite of the run_date partition on
-- Spark; see replace_by_date_config): a re-run of a date replaces exactly that date's
-- rows, earlier dates are kept (training needs features as they were on past dates).
-- full_refresh=false protects that history from a stray --full-refresh; drop the table
-- by hand to rebuild it.
-- NULL policy: counts and per-day rates of an account without activity are 0; shares,
-- CVs and latencies stay NULL when there is nothing to measure (LightGBM handles NULL).
{{
    config(
        materialized='incremental',
        unique_key=['run_date', 'account_id'],
        on_schema_change='fail',
        full_refresh=false,
        **replace_by_date_config('run_date')
    )
}}
{%- set w = feature_window() %}

select
    {{ w.run_date }} as run_date,
    a.account_id,

    -- volume & rhythm
    cast(coalesce(s.active_days, 0) as integer) as active_days,
    cast(coalesce(s.events_per_active_day, 0) as double) as events_per_active_day,
    cast(coalesce(s.posts_per_active_day, 0) as double) as posts_per_active_day,
    cast(coalesce(s.comments_per_active_day, 0) as double) as comments_per_active_day,
    cast(coalesce(s.likes_per_active_day, 0) as double) as likes_per_active_day,
    cast(coalesce(s.follows_per_active_day, 0) as double) as follows_per_active_day,
    cast(coalesce(s.dms_per_active_day, 0) as double) as dms_per_active_day,
    cast(coalesce(s.group_messages_per_active_day, 0) as double) as group_messages_per_active_day,
    cast(coalesce(s.logins_per_active_day, 0) as double) as logins_per_active_day,
    cast(s.gap_median_seconds as double) as gap_median_seconds,
    cast(s.gap_mean_seconds as double) as gap_mean_seconds,
    cast(s.gap_cv as double) as gap_cv,
    cast(s.gap_entropy as double) as gap_entropy,
    cast(s.hour_entropy as double) as hour_entropy,
    cast(s.weekday_entropy as double) as weekday_entropy,
    cast(s.night_share as double) as night_share,
    cast(s.daily_volume_cv as double) as daily_volume_cv,
    cast(s.longest_daily_gap_hours as double) as longest_daily_gap_hours,
    cast(coalesce(s.sessions_per_active_day, 0) as double) as sessions_per_active_day,
    cast(s.events_per_session as double) as events_per_session,
    cast(s.intra_session_gap_cv as double) as intra_session_gap_cv,
    cast(s.session_burstiness as double) as session_burstiness,
    cast(s.session_slot_recurrence as double) as session_slot_recurrence,

    -- clients, devices, network
    cast(d.api_client_share as double) as api_client_share,
    cast(d.web_client_share as double) as web_client_share,
    cast(coalesce(d.distinct_devices, 0) as integer) as distinct_devices,
    cast(coalesce(d.max_accounts_per_device, 0) as integer) as max_accounts_per_device,
    cast(coalesce(d.ip_country_count, 0) as integer) as ip_country_count,
    cast(d.ip_declared_country_mismatch_share as double) as ip_declared_country_mismatch_share,
    cast(d.location_declared_mismatch_share as double) as location_declared_mismatch_share,
    cast(d.location_ip_mismatch_share as double) as location_ip_mismatch_share,
    cast(d.ip_signup_country_mismatch_share as double) as ip_signup_country_mismatch_share,
    cast(a.signup_declared_country_mismatch as double) as signup_declared_country_mismatch,

    -- responsiveness
    cast(r.dm_reply_latency_median_seconds as double) as dm_reply_latency_median_seconds,
    cast(r.dm_reply_under_10s_share as double) as dm_reply_under_10s_share,
    cast(r.dm_reply_latency_cv as double) as dm_reply_latency_cv,
    cast(r.dm_inbound_answered_share as double) as dm_inbound_answered_share,
    cast(r.comment_latency_median_seconds as double) as comment_latency_median_seconds,
    cast(r.comment_under_60s_share as double) as comment_under_60s_share,

    -- content
    cast(c.post_tokens_mean as double) as post_tokens_mean,
    cast(c.post_tokens_cv as double) as post_tokens_cv,
    cast(c.line_break_share as double) as line_break_share,
    cast(c.list_marker_share as double) as list_marker_share,
    cast(c.emoji_share as double) as emoji_share,
    cast(c.punctuation_share as double) as punctuation_share,
    cast(c.type_token_ratio_mean as double) as type_token_ratio_mean,
    cast(c.text_shared_share as double) as text_shared_share,
    cast(c.text_near_copy_share as double) as text_near_copy_share,
    cast(c.text_distinct_share as double) as text_distinct_share,
    cast(c.image_reused_share as double) as image_reused_share,
    cast(c.ai_label_share as double) as ai_label_share,
    cast(c.ai_metadata_share as double) as ai_metadata_share,
    cast(c.commercial_share as double) as commercial_share,
    cast(c.commercial_share_change as double) as commercial_share_change,

    -- profile
    cast(a.account_age_days as integer) as account_age_days,
    cast(a.log_follower_following_ratio as double) as log_follower_following_ratio,
    cast(a.signup_via_api as integer) as signup_via_api,
    cast(a.avatar_shared as integer) as avatar_shared,
    cast(a.bio_shared as integer) as bio_shared,
    cast(a.follower_growth_per_day as double) as follower_growth_per_day,
    cast(a.following_growth_per_day as double) as following_growth_per_day,

    -- coordination (0 without any shared device or lockstep text)
    cast(coalesce(k.device_cluster_accounts, 0) as integer) as device_cluster_accounts,
    cast(coalesce(k.device_lockstep_share, 0) as double) as device_lockstep_share,
    cast(coalesce(k.text_lockstep_share, 0) as double) as text_lockstep_share,

    -- not a model feature (ml/features.py MART_DESCRIPTORS): the coordination step's ring
    -- steadiness reads it (ml.coordination.MIN_RING_STEADINESS is set on it)
    cast(s.session_slot_repeat_share as double) as session_slot_repeat_share

from {{ ref('int_accounts_snapshotted') }} as a
left join {{ ref('int_accounts_activity_summarised') }} as s
    on a.account_id = s.account_id
left join {{ ref('int_accounts_devices_profiled') }} as d
    on a.account_id = d.account_id
left join {{ ref('int_accounts_replies_timed') }} as r
    on a.account_id = r.account_id
left join {{ ref('int_accounts_content_profiled') }} as c
    on a.account_id = c.account_id
left join {{ ref('int_accounts_coordinated') }} as k
    on a.account_id = k.account_id
