-- `column_name` is unique among the model's rows in the run date's feature window
-- (in_feature_window: event_ts in the window, delivered by the run date). For tables that
-- keep every day: testing the window each build keeps the test's cost with the window,
-- not with the whole history (earlier windows were tested by their own builds).
--
-- touched_days_from (optional): an incremental-by-event-day table whose marker rows
-- (event_id NULL) record the event days each build recomputed, with that build's
-- loaded_through. On a daily build (no delivery after the run date is loaded: the rule of
-- partial_window), a repeated value must have a copy on a day the newest build of that
-- table recomputed: a pair of rows both on older days was loaded before it, and the
-- build that loaded the later one recomputed its day and ran this test over a window
-- that held both (the earlier row is in today's window, so it was in that one too). So
-- the test probes the window with the values of those days only, instead of grouping
-- every value of the window (at 100k accounts x 28 days: 22M event ids, 4.3-5.7 s,
-- against 1.8-2.1 s). A build that computes every day (a full refresh) marks every day,
-- so it tests the whole window; any other run date tests the whole window too.
-- The same argument narrows the probe to the rows of those days that the deliveries loaded
-- since the build before can hold (the model's delivered_on): a pair whose later row was
-- loaded earlier was probed by the build that loaded it. That build is found by the newest
-- loaded_through among the markers the newest build did not rewrite, which can only be
-- older (then more deliveries are probed, never fewer). A daily build then probes its own
-- delivery's rows (0.8M at 100k accounts) instead of every row of its 4-5 days (4M).
{% test unique_in_window(model, column_name, touched_days_from=none) %}
{%- set run_day = modules.datetime.datetime.strptime(get_run_date(), '%Y-%m-%d') -%}
{%- set newest_only = touched_days_from is not none
    and execute
    and var('partials_through_run_date')
    and not delivered_after(run_day) %}

with windowed as (

    select {{ column_name }} as tested, cast(event_ts as date) as event_day, delivered_on
    from {{ model }} as m
    where {{ in_feature_window('m') }}

){%- if newest_only %},

markers as (

    select event_day, loaded_through
    from {{ touched_days_from }}
    where event_id is null

),

newest_days as (

    select event_day
    from markers
    where loaded_through = (select max(loaded_through) from markers)

),

-- The deliveries loaded since the build before the newest one (at least).
newest_deliveries as (

    select distinct _delivery_date as delivered_on
    from {{ source('raw', 'events') }}
    where _loaded_at > (
        select coalesce(max(loaded_through), cast('0001-01-01' as timestamp))
        from markers
        where loaded_through < (select max(loaded_through) from markers)
    )

),

probed as (

    select tested
    from windowed
    where event_day in (select event_day from newest_days)
      and delivered_on in (select delivered_on from newest_deliveries)

)
{%- endif %}

select tested as {{ column_name }}, count(*) as occurrences
from windowed
{%- if newest_only %}
where tested in (select tested from probed)
{%- endif %}
group by tested
having count(*) > 1

{% endtest %}
