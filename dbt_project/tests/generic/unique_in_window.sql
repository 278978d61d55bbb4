-- `column_name` is unique among the model's rows in the run date's feature window
-- (in_feature_window: event_ts in the window, delivered by the run date). For tables that
-- keep every day: testing the window each build keeps the test's cost with the window,
-- not with the whole history (earlier windows were tested by their own builds).
--
-- touched_days_from (optional): an incremental-by-event-day table whose marker rows
-- (event_id NULL) record the event days each build recomputed, with that build's
-- loaded_through; the model has delivered_on. On a daily build (no delivery after the run
-- date is loaded: the rule of partial_window), a repeated value must have a copy that the
-- newest build of that table loaded: a pair whose later row was loaded before it was
-- probed by the build that loaded that row, over a window that held both (the earlier
-- row is in today's window, so it was in that one too). So the test probes the window
-- with the values of the newest build's rows only (the event days it recomputed, of the
-- deliveries loaded since the build before it), instead of grouping every value of the
-- window: at 100k accounts x 28 days, 0.8M ids of one delivery against 22M (stop 35
-- probed the 4M of the recomputed days; docs/benchmarks.md, stop 38). The build before
-- is found by the newest loaded_through among the markers the newest build did not
-- rewrite, which can only be older (then more deliveries are probed, never fewer).
-- A build with no such marker (a full refresh marks every day; the first build) tests the
-- whole window, by one aggregation: a probe as large as the window costs more, and ran out
-- of DuckDB's 4 GB at 100k accounts. Any other run date tests the whole window too.
{% test unique_in_window(model, column_name, touched_days_from=none) %}
{%- set run_day = modules.datetime.datetime.strptime(get_run_date(), '%Y-%m-%d') -%}
{%- set newest_only = touched_days_from is not none
    and execute
    and var('partials_through_run_date')
    and not delivered_after(run_day) %}
{%- set probe = none -%}
{%- if newest_only -%}
  {%- set markers = "(select event_day, loaded_through from " ~ touched_days_from
      ~ " where event_id is null)" -%}
  {%- set days = run_query(
      "select event_day, max(loaded_through) from " ~ markers ~ " as m group by event_day"
  ).rows -%}
  {%- set builds = days | map(attribute=1) | unique | list -%}
  {%- if builds | length > 1 -%}
    {%- set newest = builds | max -%}
    {%- set deliveries = run_query(
        "select distinct _delivery_date from " ~ source('raw', 'events')
        ~ " where _loaded_at > (select max(loaded_through) from " ~ markers ~ " as m"
        ~ " where loaded_through < (select max(loaded_through) from " ~ markers ~ " as n))"
    ).rows -%}
    {%- set probe = {'days': [], 'deliveries': []} -%}
    {%- for day, build in days if build == newest -%}
      {%- do probe.days.append((day | string)[:10]) -%}
    {%- endfor -%}
    {%- for row in deliveries -%}
      {%- do probe.deliveries.append((row[0] | string)[:10]) -%}
    {%- endfor -%}
    {%- do probe.days.sort() -%}
    {%- do probe.deliveries.sort() -%}
  {%- endif -%}
{%- endif %}

with windowed as (

    select {{ column_name }} as tested
    from {{ model }} as m
    where {{ in_feature_window('m') }}

){%- if probe is not none %},

-- The rows the newest build loaded: its event days, of the deliveries loaded since the
-- build before it.
newest_rows as (

    select {{ column_name }} as tested
    from {{ model }} as m
    where {{ in_feature_window('m') }}
      and {{ on_event_days('m.event_ts', probe.days) }}
    {%- if probe.deliveries %}
      and m.delivered_on in (
        {%- for day in probe.deliveries %}cast('{{ day }}' as date){% if not loop.last %}, {% endif %}{% endfor -%}
      )
    {%- else %}
      and false
    {%- endif %}

)
{%- endif %}

select tested as {{ column_name }}, count(*) as occurrences
from windowed
{%- if probe is not none %}
where tested in (select tested from newest_rows)
{%- endif %}
group by tested
having count(*) > 1

{% endtest %}
