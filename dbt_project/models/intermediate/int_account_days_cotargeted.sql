-- The co-targeting family's partial: per UTC event day, from every event loaded so far,
-- the facts int_account_pairs_cotargeted folds over the run date's window (the fold
-- reads the settled days from here, the newest from events: partial_window(1)).
-- Grain: one row per event_day and fact, the fact told by which columns are NULL:
--   coincided  account_a < account_b, target: the pair engaged the target within
--              cotarget_minutes of each other, the earlier of the two engagements on
--              event_day (some pair of their engagements did; one row however many);
--   engaged    account_a, target (account_b NULL): account_a engaged the target that day;
--   crowded    target only: more than max_cotarget_accounts accounts engaged the target
--              that day (its engaged and coincided rows of that day are left out);
--   marker     target NULL too: one per event day the build wrote (as in
--              int_account_days_connected).
-- Why the fold is exact:
--   - weight and targets_a/targets_b are distinct counts over the window, so the rows
--     are facts (pair, target) and (account, target), never per-day counts: a target
--     engaged on two days counts once.
--   - A target is kept when 2 to max_cotarget_accounts distinct accounts engaged it over
--     the window. One crowded day puts it over the cap in every window holding that day,
--     so dropping its rows of that day loses nothing the fold keeps; the crowded row
--     tells the fold to drop the target. Otherwise every (account, target) is here and
--     the fold counts the window's accounts per target itself.
--   - A coincidence can straddle UTC midnight (cotarget_minutes is under a day). It
--     belongs to the day of its earlier engagement, so it is counted once, and day E's
--     rows depend on the events of E and E + 1: a build rebuilds the touched days and
--     the day before each, reading one day more on each side. The fold takes day E from
--     here only once E + 1 is settled too, so its later end is always in the window.
--     Coincidences whose later engagement is crowded on E + 1 are left out: E + 1 is in
--     every window that holds E and reads it.
-- Incremental by event day, like int_account_days_connected (marker rows included).
{#- unique_key the day column: replace_event_days deletes `where event_day in (...)`, then
    inserts in event-day order (macros/incremental.sql). -#}
{{
    config(
        enabled=var('coordination_graph'),
        materialized='incremental',
        unique_key='event_day',
        on_schema_change='fail',
        **replace_event_days_config('event_day')
    )
}}
{%- set touched = touched_event_days(this) if is_incremental() else none %}
{%- set days = shifted_days(touched, [-1, 0]) %}
{%- set read_days = shifted_days(touched, [-1, 0, 1]) %}

with engagements as (

    {{ cotarget_engagements(
        "(select * from " ~ ref('stg_activity__events') ~ " where " ~ on_event_days('event_ts', read_days) ~ ")"
    ) }}

),

engaged as (

    select distinct account_id, target, cast(event_ts as date) as event_day
    from engagements

),

crowded as (

    select target, event_day
    from engaged
    group by target, event_day
    having count(*) > {{ var('max_cotarget_accounts') }}

),

kept as (

    select e.account_id, e.event_ts, e.target
    from engagements as e
    left join crowded as c
        on e.target = c.target
        and cast(e.event_ts as date) = c.event_day
    where c.target is null

),

coincided as (

    select distinct account_a, account_b, target, cast(first_ts as date) as event_day
    from ({{ cotarget_coincidences('kept') }}) as k
    where {{ on_event_days('first_ts', days) }}

),

facts as (

    select account_a, account_b, target, event_day
    from coincided

    union all

    select g.account_id as account_a, null as account_b, g.target, g.event_day
    from engaged as g
    left join crowded as c
        on g.target = c.target
        and g.event_day = c.event_day
    where c.target is null
      and {{ on_event_days('g.event_day', days) }}

    union all

    select null as account_a, null as account_b, target, event_day
    from crowded
    where {{ on_event_days('event_day', days) }}

),

loaded as (

    select {{ loaded_through_now(this if is_incremental() else none) }} as loaded_through

)

{#- event_day last: Spark's insert_overwrite writes it as the partition column. #}
select
    f.account_a,
    f.account_b,
    f.target,
    l.loaded_through,
    f.event_day
from facts as f
cross join loaded as l

{%- if days is none or days %}

union all

select
    null as account_a,
    null as account_b,
    null as target,
    l.loaded_through,
    cast(d.event_day as date) as event_day
from (
    {%- if days is none %}
    select distinct event_day from engaged
    {%- else %}
    {{ event_day_markers(days) }}
    {%- endif %}
) as d
cross join loaded as l
{%- endif %}
