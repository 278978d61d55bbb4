-- One row per piece: an account's events of one stream (by_hand: the app, the web or no
-- client; else the api), one UTC event day and one platform-local day, from every event
-- loaded so far; plus marker rows (account_id NULL). The rhythm family's partial
-- aggregate (macros/activity.sql): int_accounts_activity_summarised folds the run date's
-- window from these rows for the settled event days and from the events themselves for
-- the newer ones (partial_window). A piece depends on its own events only, so a build
-- rebuilds exactly the event days its new deliveries touch. Incremental by event day, like
-- int_account_days_connected (marker rows included).
{#- unique_key the day column: replace_event_days deletes `where event_day in (...)`, then
    inserts in event-day order (macros/incremental.sql). -#}
{{
    config(
        materialized='incremental',
        unique_key='event_day',
        on_schema_change='fail',
        **replace_event_days_config('event_day')
    )
}}
{%- set days = touched_event_days(this) if is_incremental() else none %}
{%- set offset_minutes = (var('platform_utc_offset_hours') | float * 60) | int %}
{%- set columns = activity_piece_columns() %}

with events as (

    select
        account_id,
        client,
        event_type,
        event_ts,
        {{ local_timestamp('event_ts', offset_minutes) }} as local_ts
    from {{ ref('stg_activity__events') }}
    where {{ on_event_days('event_ts', days) }}

),

loaded as (

    select {{ loaded_through_now(this if is_incremental() else none) }} as loaded_through

)

{#- event_day last: Spark's insert_overwrite writes it as the partition column. #}
select
    p.account_id,
    p.by_hand,
    p.local_day,
    {%- for column in columns %}
    p.{{ column }},
    {%- endfor %}
    l.loaded_through,
    p.event_day
from ({{ activity_pieces('events') }}) as p
cross join loaded as l

{%- if days is none or days %}

union all

select
    null as account_id,
    null as by_hand,
    null as local_day,
    {%- for column in columns %}
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
