-- One row per non-empty text event (post, comment, dm, group_message) of raw.events (one
-- per event_id: the first arrival, as stg_activity__events keeps), with the measurements
-- of its text from int_texts_measured (computed once per distinct text, ever), its
-- delivery date and UTC event day. The content and coordination families read the run
-- date's window of it (in_feature_window): the same events int_events_windowed holds.
-- Incremental by event day, like stg_activity__event_repeats: a build replaces only the
-- event days the deliveries loaded since the previous build can touch
-- (touched_event_days, macros/incremental.sql), so a daily build joins one day's texts,
-- not the window's. Each replaced day also writes one marker row (event_id NULL, outside
-- every window): a day whose texts all went away is still replaced.
-- Which texts count (non-empty) is decided once, in int_texts_measured: the inner join
-- keeps exactly the events whose text it measured.
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

with texts as (

    select event_id, account_id, event_ts, event_type, text, delivered_on
    from {{ ref('stg_activity__events') }}
    where {{ on_event_days('event_ts', days) }}
      and text is not null

),

loaded as (

    select {{ loaded_through_now(this if is_incremental() else none) }} as loaded_through

)

select
    t.event_id,
    t.account_id,
    t.event_ts,
    t.event_type,
    t.delivered_on,
    m.text_length,
    m.char_variety,
    m.has_line_break,
    m.has_list_marker,
    m.has_emoji,
    m.punctuation_share,
    m.token_count,
    m.type_token_ratio,
    -- Only texts long enough to count as shared carry fingerprints.
    case when m.normalised_length >= {{ var('min_shared_text_chars') }}
         then m.normalised_hash end as normalised_hash,
    case when m.normalised_length >= {{ var('min_shared_text_chars') }}
         then m.phrase_set_hash end as phrase_set_hash,
    l.loaded_through,
    cast(t.event_ts as date) as event_day
from texts as t
inner join {{ ref('int_texts_measured') }} as m
    on t.text = m.text
cross join loaded as l

{%- if days is none or days %}

union all

-- One marker per computed day (see above).
select
    null as event_id,
    null as account_id,
    null as event_ts,
    null as event_type,
    null as delivered_on,
    null as text_length,
    null as char_variety,
    null as has_line_break,
    null as has_list_marker,
    null as has_emoji,
    null as punctuation_share,
    null as token_count,
    null as type_token_ratio,
    null as normalised_hash,
    null as phrase_set_hash,
    l.loaded_through,
    t.event_day
from (
    {%- if days is none %}
    select distinct cast(event_ts as date) as event_day from texts
    {%- else %}
    {{ event_day_markers(days) }}
    {%- endif %}
) as t
cross join loaded as l
{%- endif %}
