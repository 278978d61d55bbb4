-- One row per landed event row that repeats an event_id which arrived earlier (a re-sent
-- delivery, a late file carrying the same event): what stg_activity__events leaves out.
-- The contract says a repeat is the same event, and point-in-time needs the first
-- arrival (earliest delivery date, then file name, then row in the file): a re-send
-- after the run date must never hide an event already delivered by then.
-- A table of its own because repeats are few (well under 1% of rows) while the
-- deduplication is a pass over event ids: computed once per build, then each reader of
-- stg_activity__events pays only an anti-join against this small table instead of a
-- window over all events (measured at 11.4M events: ~15 s per reader).
--
-- Incremental, one partition per event day (UTC date of event_ts). A repeat is the same
-- event, so every copy of an id has the same event_ts and lies in one event day: the
-- repeats of a day are a function of that day's rows alone, and a build recomputes only
-- the event days the deliveries loaded since the previous one can touch
-- (touched_event_days, macros/incremental.sql).
-- Each computed day also writes one marker row (event_id null): a day whose repeats went
-- away (a re-send without them) is still replaced, by delete+insert on DuckDB and by
-- insert_overwrite of the day's partition on Spark. Readers skip the markers.
-- loaded_through is the newest _loaded_at the build saw: the next build's starting point.
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

with scoped as (

    select
        event_id,
        cast(event_ts as date) as event_day,
        _delivery_date,
        _source_file,
        _file_row
    from {{ source('raw', 'events') }}
    where {{ on_event_days('event_ts', days) }}

),

loaded as (

    select {{ loaded_through_now(this if is_incremental() else none) }} as loaded_through

),

repeated_ids as (

    select event_id
    from scoped
    group by event_id
    having count(*) > 1

),

ranked as (

    select
        e.event_id,
        e.event_day,
        e._delivery_date,
        e._source_file,
        e._file_row,
        row_number() over (
            partition by e.event_id
            order by e._delivery_date, e._source_file, e._file_row
        ) as arrival_rank
    from scoped as e
    inner join repeated_ids as r
        on e.event_id = r.event_id

)

select
    r.event_id,
    r._delivery_date as delivered_on,
    r._source_file as source_file,
    r._file_row as file_row,
    r.arrival_rank,
    l.loaded_through,
    r.event_day
from ranked as r
cross join loaded as l
where r.arrival_rank > 1

{%- if days is none or days %}

union all

-- One marker per computed day (see above); they also carry loaded_through when a build
-- finds no repeat at all.
select
    null as event_id,
    null as delivered_on,
    null as source_file,
    null as file_row,
    null as arrival_rank,
    l.loaded_through,
    t.event_day
from (
    {%- if days is none %}
    select distinct event_day from scoped
    {%- else %}
    {{ event_day_markers(days) }}
    {%- endif %}
) as t
cross join loaded as l
{%- endif %}
