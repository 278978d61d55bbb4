-- One row per event in the feature window of the run date D: event_ts in
-- [D + 1 day - feature_window_days, D + 1 day) and delivered on or before D (an event
-- that lands late, after D, was not known on D).
-- A view, not a table: writing the slice (texts included) into the DuckDB file cost far
-- more than letting each family re-read only the columns it needs (5M events: 19 s to
-- write vs ~1 s per family read; deduplication is an anti-join against the small
-- stg_activity__event_repeats).
-- Platform-local time (fixed offset, var platform_utc_offset_hours) is derived here once,
-- as a zone-less timestamp (see local_timestamp):
-- hour-of-day, night share and calendar days are about the platform's home time zone.
{{ config(materialized='view') }}
{%- set w = feature_window() %}
{%- set offset_minutes = (var('platform_utc_offset_hours') | float * 60) | int %}

with events as (

    select
        event_id,
        account_id,
        event_ts,
        event_type,
        client,
        device_id,
        ip_country,
        target_account_id,
        target_event_id,
        text,
        image_hash,
        location_tag,
        ai_label,
        ai_metadata,
        commercial,
        delivered_on,
        {{ local_timestamp('event_ts', offset_minutes) }} as local_ts
    from {{ ref('stg_activity__events') }}
    where delivered_on <= {{ w.run_date }}
      and event_ts >= {{ w.window_start }}
      and event_ts < {{ w.window_end }}

)

select
    *,
    cast(local_ts as date) as local_day,
    cast(extract(hour from local_ts) as integer) as local_hour
from events
