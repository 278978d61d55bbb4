{#- The incremental layer: per-event-day tables that a build extends or replaces only for the
    event days the deliveries loaded since its previous build can touch.

    A delivery of dt=D holds events of D and of the late_event_days before it (contract
    1.1), whether it is new, re-sent, or an old date loaded out of order; and a repeat of an
    event id is the same event, with the same event_ts. So everything computed per event
    day (its repeats, its texts' measures, its events' fingerprints) changes only on the
    days a newly loaded delivery covers. Each such table keeps loaded_through, the newest
    raw.events _loaded_at its last build saw: the next build starts from there.
    Zone maps on _loaded_at (rows are appended in load order) and event_ts make these
    filters read the new row groups only: the cost follows the new deliveries, not the
    size of raw.events. -#}

{#- The newest _loaded_at of raw.events now: what a build records as loaded_through. When
    nothing was loaded since `previous` (an incremental build), the previous value. -#}
{% macro loaded_through_now(previous=none) -%}
  {%- if previous is none -%}
    (select max(_loaded_at) from {{ source('raw', 'events') }})
  {%- else -%}
    coalesce(
        (select max(_loaded_at) from {{ source('raw', 'events') }}
         where _loaded_at > (
             select coalesce(max(loaded_through), cast('0001-01-01' as timestamp))
             from {{ previous }}
         )),
        (select max(loaded_through) from {{ previous }})
    )
  {%- endif -%}
{%- endmacro %}

{#- The event days (ISO strings, sorted) the deliveries loaded since `this_relation`'s
    previous build can touch: each such delivery's dt and the late_event_days before it.
    A table without a watermark yet (its builds so far saw no event) takes every load.
    Queried when the model runs (not when dbt parses), so that the model's SQL filters on
    literal dates: engines prune by them (zone maps, partitions) where a join would not. -#}
{% macro touched_event_days(this_relation) -%}
  {%- if not execute -%}{{ return([]) }}{%- endif -%}
  {%- set late_days = var('late_event_days') | int -%}
  {%- set found = run_query(
      "select distinct _delivery_date from " ~ source('raw', 'events')
      ~ " where _loaded_at > (select coalesce(max(loaded_through), cast('0001-01-01' as timestamp))"
      ~ " from " ~ this_relation ~ ")"
  ) -%}
  {%- set days = [] -%}
  {%- for row in found.rows -%}
    {%- set dt = modules.datetime.datetime.strptime((row[0] | string)[:10], '%Y-%m-%d') -%}
    {%- for n in range(late_days + 1) -%}
      {%- set day = (dt - modules.datetime.timedelta(days=n)).strftime('%Y-%m-%d') -%}
      {%- if day not in days -%}{%- do days.append(day) -%}{%- endif -%}
    {%- endfor -%}
  {%- endfor -%}
  {{ return(days | sort) }}
{%- endmacro %}

{#- A predicate: `ts_column` falls on one of `days` (a list from touched_event_days), or
    `true` when days is none (a full build: every day). The outer range lets engines skip
    whole row groups or partitions; the list keeps only the touched days. -#}
{% macro on_event_days(ts_column, days) -%}
  {%- if days is none -%}
    true
  {%- elif days | length == 0 -%}
    false
  {%- else -%}
    ({{ ts_column }} >= cast('{{ days[0] }}' as timestamp)
     and {{ ts_column }} < cast({{ dbt.dateadd('day', 1, "cast('" ~ days[-1] ~ "' as timestamp)") }} as timestamp)
     and cast({{ ts_column }} as date) in (
        {%- for day in days %}cast('{{ day }}' as date){% if not loop.last %}, {% endif %}{% endfor -%}
     ))
  {%- endif -%}
{%- endmacro %}

{#- `days` (ISO strings, as from touched_event_days) each moved by every offset in
    `offsets` (whole days), sorted, without repeats: the days a partial whose facts reach
    into the neighbouring days must rebuild, or read (int_account_days_cotargeted). None
    (a full build) stays none. -#}
{% macro shifted_days(days, offsets) -%}
  {%- if days is none -%}{{ return(none) }}{%- endif -%}
  {%- set shifted = [] -%}
  {%- for day in days -%}
    {%- set d = modules.datetime.datetime.strptime(day, '%Y-%m-%d') -%}
    {%- for n in offsets -%}
      {%- set moved = (d + modules.datetime.timedelta(days=n)).strftime('%Y-%m-%d') -%}
      {%- if moved not in shifted -%}{%- do shifted.append(moved) -%}{%- endif -%}
    {%- endfor -%}
  {%- endfor -%}
  {{ return(shifted | sort) }}
{%- endmacro %}

{#- DuckDB's incremental strategy for the per-event-day tables (replace_event_days_config):
    the adapter's delete+insert of the event days a build computed, its new rows inserted
    in event-day order. DuckDB stores rows in row groups of 122,880 in the order they are
    inserted, and the next build deletes most of these days again (a delivery touches its
    date and the late_event_days before it). In day order, the deleted rows fill whole
    row groups, which the checkpoint drops; in the order the build's hash aggregates
    leave them, every row group of a build holds some of every day, and the checkpoint
    after the next build rewrites them all to reclaim the deleted rows (at 100k accounts
    the co-targeting partial's commit took 7.9 s of its 15.8 s daily build; replayed
    consecutive rebuilds of the five tables: commits 4.8-5.9 s, 1.8-2.6 s in day order;
    docs/benchmarks.md, stop 37). The sort reads the build's temporary table, after the
    model's query has released its hash tables: in the model's own query it ran out of
    DuckDB's 4 GB in a first build. Inserting day by day instead (a filtered insert per
    day) doubled the insert's time. -#}
{% macro get_incremental_replace_event_days_sql(arg_dict) -%}
  {%- set day = arg_dict['unique_key'] -%}
  {%- if day is not string -%}
    {{ exceptions.raise_compiler_error("replace_event_days needs one day column as unique_key, got " ~ day) }}
  {%- endif -%}
  {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ arg_dict['target_relation'] }}
    where {{ day }} in (select {{ day }} from {{ arg_dict['temp_relation'] }});
    insert into {{ arg_dict['target_relation'] }} ({{ columns }})
    select {{ columns }} from {{ arg_dict['temp_relation'] }}
    order by {{ day }};
{%- endmacro %}

{#- One marker row's event_day per touched day (a union of literals); none on a full build. -#}
{% macro event_day_markers(days) -%}
  {%- for day in days %}
    select cast('{{ day }}' as date) as event_day{% if not loop.last %} union all{% endif %}
  {%- endfor %}
{%- endmacro %}

{#- A predicate: the row of an all-days incremental table (event_ts, delivered_on) is in
    the run date's feature window, as int_events_windowed selects events: event_ts in
    [window_start, window_end) and delivered on or before the run date. Marker rows
    (event_ts NULL) never are. -#}
{% macro in_feature_window(alias) -%}
  {%- set w = feature_window() -%}
  {{ alias }}.delivered_on <= {{ w.run_date }}
    and {{ alias }}.event_ts >= {{ w.window_start }}
    and {{ alias }}.event_ts < {{ w.window_end }}
{%- endmacro %}

{#- Where a fold of per-event-day partials (int_account_days_*) reads each day of the run
    date's window from. An event day E is settled once no later delivery can add to it:
    deliveries of dt E .. E + late_event_days hold its events (contract 1.1), so on run
    date D the days E <= D - late_event_days come from the partials (built once, from
    every event loaded), and the newer ones from the window's events delivered by D.
    A partial whose day E also depends on the events of the next neighbour_days days
    (a fact straddling midnight) is settled only once those are: its tail starts that
    many days earlier.
    When no delivery after D is loaded (the daily run: D is the newest delivery date), the
    partials hold what was known on D and nothing more: every event day of the window is
    read from them, and none from events (var partials_through_run_date; false keeps the
    rule above for every run date).
    Returns SQL date literals:
        first_day  the window's first UTC event day
        tail_day   the first event day read from events (>= first_day; the day after D
                   when none is) -#}
{% macro partial_window(neighbour_days=0) -%}
  {%- set run_day = modules.datetime.datetime.strptime(get_run_date(), '%Y-%m-%d') -%}
  {%- set first_day = run_day - modules.datetime.timedelta(days=var('feature_window_days') | int - 1) -%}
  {%- set tail_day = [first_day, run_day - modules.datetime.timedelta(days=var('late_event_days') | int - 1 + neighbour_days)] | max -%}
  {%- if execute and var('partials_through_run_date') and not delivered_after(run_day) -%}
    {%- set tail_day = run_day + modules.datetime.timedelta(days=1) -%}
  {%- endif -%}
  {{ return({
      'first_day': "cast('" ~ first_day.strftime('%Y-%m-%d') ~ "' as date)",
      'tail_day': "cast('" ~ tail_day.strftime('%Y-%m-%d') ~ "' as date)",
  }) }}
{%- endmacro %}

{#- Whether raw.events holds a delivery of a date after `day` (a datetime). Only events
    count: the partials are built from them alone. -#}
{% macro delivered_after(day) -%}
  {%- set found = run_query(
      "select count(*) from " ~ source('raw', 'events')
      ~ " where _delivery_date > cast('" ~ day.strftime('%Y-%m-%d') ~ "' as date)"
  ) -%}
  {{ return(found.columns[0].values()[0] > 0) }}
{%- endmacro %}

{#- A predicate: the partial row's event_day is settled and in the window (partial_window). -#}
{% macro settled_in_window(alias=none, neighbour_days=0) -%}
  {%- set p = partial_window(neighbour_days) -%}
  {%- set column = (alias ~ '.event_day') if alias else 'event_day' -%}
  {{ column }} >= {{ p.first_day }} and {{ column }} < {{ p.tail_day }}
{%- endmacro %}
