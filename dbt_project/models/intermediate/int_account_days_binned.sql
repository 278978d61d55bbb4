-- One row per account, segment (account_id, event_day, local_day; see macros/rhythm.sql),
-- measure and bin, from every event loaded so far (rhythm_bins):
--   measure 'gap'   the segment's gaps between consecutive events per quarter-octave bin
--                   of (gap + 1) seconds: the median gap and the gap entropy;
--   measure 'slot'  its session starts after a pause inside the segment per 10-minute
--                   slot of the local day: the share of sessions started in a slot the
--                   account also used on another day (session_slot_repeat_share).
-- The gap across the join to the previous segment, and whether a segment's first event
-- starts a session, depend on the previous segment: int_accounts_activity_summarised
-- adds those when it folds the window.
-- Incremental by event day, like int_account_days_summarised (marker rows included).
{#- unique_key a string, not a list: dbt-duckdb then deletes `where event_day in (...)`. -#}
{{
    config(
        materialized='incremental',
        unique_key='event_day',
        on_schema_change='fail',
        **replace_by_date_config('event_day')
    )
}}
{%- set days = touched_event_days(this) if is_incremental() else none %}
{%- set offset_minutes = (var('platform_utc_offset_hours') | float * 60) | int %}

with events as (

    select account_id, event_type, event_ts, {{ local_timestamp('event_ts', offset_minutes) }} as local_ts
    from {{ ref('stg_activity__events') }}
    where {{ on_event_days('event_ts', days) }}

),

sequenced as (
{{ rhythm_sequenced('events') }}
),

loaded as (

    select {{ loaded_through_now(this if is_incremental() else none) }} as loaded_through

)

{#- event_day last: Spark's insert_overwrite writes it as the partition column. #}
select s.account_id, s.local_day, s.measure, s.bin, s.occurrences, l.loaded_through, s.event_day
from ({{ rhythm_bins('sequenced') }}) as s
cross join loaded as l

{%- if days is none or days %}

union all

select
    null as account_id,
    null as local_day,
    null as measure,
    null as bin,
    null as occurrences,
    l.loaded_through,
    cast(d.event_day as date) as event_day
from (
    {%- if days is none %}
    select distinct cast(event_ts as date) as event_day from events
    {%- else %}
    {{ event_day_markers(days) }}
    {%- endif %}
) as d
cross join loaded as l
{%- endif %}
