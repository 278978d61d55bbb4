{#-
  Small cross-database helpers for what dbt's own cross-database macros do not cover
  (or cover with a loss: dbt.datediff counts second *boundaries*, we want exact
  fractional seconds). Each has a default (ANSI-ish / DuckDB) and a Spark variant,
  so the models run unchanged on dbt-duckdb and dbt-spark.
-#}

{# Exact seconds from `start_ts` to `end_ts` (double; negative if end is earlier). #}
{% macro seconds_between(start_ts, end_ts) -%}
  {{ return(adapter.dispatch('seconds_between', 'realpeople')(start_ts, end_ts)) }}
{%- endmacro %}
{% macro default__seconds_between(start_ts, end_ts) -%}
  ({{ dbt.datediff(start_ts, end_ts, 'second') }})
{%- endmacro %}
{% macro duckdb__seconds_between(start_ts, end_ts) -%}
  (epoch({{ end_ts }}) - epoch({{ start_ts }}))
{%- endmacro %}
{% macro spark__seconds_between(start_ts, end_ts) -%}
  ((unix_micros({{ end_ts }}) - unix_micros({{ start_ts }})) / 1000000.0)
{%- endmacro %}


{# Exact median (the lessons: exact quantiles beat approximate ones on DuckDB). #}
{% macro median(expr) -%}
  {{ return(adapter.dispatch('median', 'realpeople')(expr)) }}
{%- endmacro %}
{% macro default__median(expr) -%}
  percentile_cont(0.5) within group (order by {{ expr }})
{%- endmacro %}
{% macro duckdb__median(expr) -%}
  median({{ expr }})
{%- endmacro %}
{% macro spark__median(expr) -%}
  percentile({{ expr }}, 0.5)
{%- endmacro %}


{#- Regular expressions are written once, in RE2/Java syntax (both engines accept
    \x{...}, \p{P}, (?m)); only the calling convention and literal escaping differ. -#}
{% macro regex_matches(expr, pattern) -%}
  {{ return(adapter.dispatch('regex_matches', 'realpeople')(expr, pattern)) }}
{%- endmacro %}
{% macro default__regex_matches(expr, pattern) -%}
  regexp_matches({{ expr }}, '{{ pattern | replace("'", "''") }}')
{%- endmacro %}
{% macro spark__regex_matches(expr, pattern) -%}
  ({{ expr }} rlike '{{ pattern | replace("\\", "\\\\") | replace("'", "\\'") }}')
{%- endmacro %}

{% macro regex_replace_all(expr, pattern, replacement='') -%}
  {{ return(adapter.dispatch('regex_replace_all', 'realpeople')(expr, pattern, replacement)) }}
{%- endmacro %}
{% macro default__regex_replace_all(expr, pattern, replacement) -%}
  regexp_replace({{ expr }}, '{{ pattern | replace("'", "''") }}', '{{ replacement }}', 'g')
{%- endmacro %}
{% macro spark__regex_replace_all(expr, pattern, replacement) -%}
  regexp_replace({{ expr }}, '{{ pattern | replace("\\", "\\\\") | replace("'", "\\'") }}', '{{ replacement }}')
{%- endmacro %}


{# Number of distinct characters in a string. #}
{% macro distinct_char_count(expr) -%}
  {{ return(adapter.dispatch('distinct_char_count', 'realpeople')(expr)) }}
{%- endmacro %}
{% macro default__distinct_char_count(expr) -%}
  size(array_distinct(split({{ expr }}, '')))
{%- endmacro %}
{% macro duckdb__distinct_char_count(expr) -%}
  {#- list_unique counts without building the distinct list: ~10% faster than
      length(list_distinct(...)); this is the costliest text feature. -#}
  list_unique(string_split({{ expr }}, ''))
{%- endmacro %}
