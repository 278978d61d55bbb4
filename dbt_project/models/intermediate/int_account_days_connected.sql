-- One row per account, UTC event day and combination of client, device_id, ip_country and
-- location_tag the account's events of that day used, with their count (events): the
-- devices family's partial aggregate (macros/connections.sql), from every event loaded so
-- far. int_accounts_devices_profiled folds the run date's window from these rows for the
-- settled event days and from the events themselves for the newer ones (partial_window).
-- Incremental by event day, like int_texts_fingerprinted (marker rows included).
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

with events as (

    select account_id, event_ts, client, device_id, ip_country, location_tag
    from {{ ref('stg_activity__events') }}
    where {{ on_event_days('event_ts', days) }}

),

loaded as (

    select {{ loaded_through_now(this if is_incremental() else none) }} as loaded_through

)

{#- event_day last: Spark's insert_overwrite writes it as the partition column. #}
select
    g.account_id,
    g.client,
    g.device_id,
    g.ip_country,
    g.location_tag,
    g.events,
    l.loaded_through,
    g.event_day
from ({{ connection_groups('events') }}) as g
cross join loaded as l

{%- if days is none or days %}

union all

select
    null as account_id,
    null as client,
    null as device_id,
    null as ip_country,
    null as location_tag,
    null as events,
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
