-- One row per account and segment: the part of a UTC event day that falls in one
-- platform-local calendar day (account_id, event_day, local_day; see macros/rhythm.sql).
-- Partial aggregates of the rhythm family (counts, gap sums and sums of squares, a
-- quarter-octave gap histogram, per-hour counts, first and last event, session starts)
-- from every event of raw.events loaded so far, whatever its delivery date.
-- int_accounts_activity_summarised folds the run date's window from these rows for the
-- event days no later delivery can change any more (event_day + late_event_days <= run
-- date), and from the events themselves for the newer days.
-- Incremental by event day, like int_texts_fingerprinted: a build replaces only the event
-- days the deliveries loaded since the previous build can touch (touched_event_days,
-- macros/incremental.sql): a new day's build sorts four days of events, not the window.
-- Each replaced day also writes one marker row (account_id NULL), so that a day that lost
-- all its events is still replaced.
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

segments as (
{{ rhythm_segments('sequenced') }}
),

loaded as (

    select {{ loaded_through_now(this if is_incremental() else none) }} as loaded_through

)

{#- event_day last: Spark's insert_overwrite writes it as the partition column. #}
select
    {%- for column in rhythm_segment_columns() if column != 'event_day' %}
    s.{{ column }},
    {%- endfor %}
    l.loaded_through,
    s.event_day
from segments as s
cross join loaded as l

{%- if days is none or days %}

union all

-- One marker per computed day (see above): every column NULL but event_day.
select
    {%- for column in rhythm_segment_columns() if column != 'event_day' %}
    null as {{ column }},
    {%- endfor %}
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
