{#-
  Point-in-time helpers. Every model that depends on the run date calls
  feature_window() once and splices the returned literals into its SQL, so all models
  of one invocation agree on the same date and window, and the SQL stays portable
  (plain DATE / TIMESTAMP literals instead of engine-specific date arithmetic).
-#}

{% macro get_run_date() %}
  {#- The run date as 'YYYY-MM-DD', from the first of:
        1. var('run_date'), when given (`dbt build --vars '{run_date: ...}'` by hand);
        2. the REALPEOPLE_RUN_DATE environment variable: how the pipeline passes it;
        3. the latest delivery date landed in raw.events (so an unparameterised
           `dbt build` computes features as of the newest data).
      2 and 3 are read only when executing, never while parsing: dbt re-parses the whole
      project whenever --vars change (and tracks env_var() calls made at parse time), so a
      run date passed as a var made every daily build re-parse (~3-6 s); read at execute
      time it leaves one parsed manifest valid for every run date. -#}
  {%- set run_date = var('run_date', none) -%}
  {%- if run_date is none or (run_date | string | trim) == '' -%}
    {%- if execute -%}
      {%- set run_date = env_var('REALPEOPLE_RUN_DATE', '') -%}
      {%- if (run_date | trim) == '' -%}
        {%- set result = run_query("select max(_delivery_date) from " ~ source('raw', 'events')) -%}
        {%- set latest = result.columns[0].values()[0] -%}
        {%- if latest is none -%}
          {{ exceptions.raise_compiler_error("run_date not given and raw.events is empty: nothing to compute features from") }}
        {%- endif -%}
        {%- set run_date = latest | string -%}
      {%- endif -%}
    {%- else -%}
      {#- Parse time: no database access; any valid date will do. -#}
      {%- set run_date = '1970-01-01' -%}
    {%- endif -%}
  {%- endif -%}
  {%- set run_date = (run_date | string | trim)[:10] -%}
  {%- if not modules.re.match('^[0-9]{4}-[0-9]{2}-[0-9]{2}$', run_date) -%}
    {{ exceptions.raise_compiler_error("run_date must be 'YYYY-MM-DD', got '" ~ run_date ~ "'") }}
  {%- endif -%}
  {{ return(run_date) }}
{% endmacro %}


{% macro feature_window() %}
  {#- Returns a dict of SQL literals:
        run_date      DATE       the run date D
        window_end    TIMESTAMP  D + 1 day, 00:00 UTC (exclusive)
        window_start  TIMESTAMP  window_end - feature_window_days (inclusive)
        local_window_start / local_window_end: the same bounds in platform-local time
  -#}
  {%- set run_date = get_run_date() -%}
  {%- set days = var('feature_window_days') | int -%}
  {%- if days < 1 -%}
    {{ exceptions.raise_compiler_error("feature_window_days must be >= 1, got " ~ days) }}
  {%- endif -%}
  {%- set d = modules.datetime.datetime.strptime(run_date, '%Y-%m-%d') -%}
  {%- set end = d + modules.datetime.timedelta(days=1) -%}
  {%- set start = end - modules.datetime.timedelta(days=days) -%}
  {%- set offset = modules.datetime.timedelta(hours=var('platform_utc_offset_hours') | float) -%}
  {{ return({
      'local_window_end': "cast('" ~ (end + offset).strftime('%Y-%m-%d %H:%M:%S') ~ "' as timestamp)",
      'local_window_start': "cast('" ~ (start + offset).strftime('%Y-%m-%d %H:%M:%S') ~ "' as timestamp)",
      'run_date': "cast('" ~ run_date ~ "' as date)",
      'window_end': "cast('" ~ end.strftime('%Y-%m-%d %H:%M:%S') ~ "' as timestamp)",
      'window_start': "cast('" ~ start.strftime('%Y-%m-%d %H:%M:%S') ~ "' as timestamp)",
  }) }}
{% endmacro %}

{#- Validity of a versioned entity's snapshots (accounts, appeals): each version holds from
    its delivery until the next delivery of the same key supersedes it. As of run date D the
    current version is delivered_on <= D and (superseded_on is null or superseded_on > D). -#}
{% macro version_validity(key) -%}
    lead(delivered_on) over (partition by {{ key }} order by delivered_on) as superseded_on,
    lead(delivered_on) over (partition by {{ key }} order by delivered_on) is null as is_latest
{%- endmacro %}
