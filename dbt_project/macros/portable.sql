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
  {#- Integer microseconds, then seconds: exact (epoch() doubles lose ~1e-7 s). -#}
  ((epoch_us({{ end_ts }}) - epoch_us({{ start_ts }})) / 1000000.0)
{%- endmacro %}


{# A UTC instant as a plain (zone-less) timestamp in the platform's home time zone,
   `offset_minutes` east of UTC. Calendar day and hour of a zone-less timestamp are plain
   arithmetic; on a TIMESTAMP WITH TIME ZONE every cast goes through the time-zone
   library (DuckDB: ~6x slower over 11M events). #}
{% macro local_timestamp(ts, offset_minutes) -%}
  {{ return(adapter.dispatch('local_timestamp', 'realpeople')(ts, offset_minutes)) }}
{%- endmacro %}
{% macro default__local_timestamp(ts, offset_minutes) -%}
  {{ dbt.dateadd('minute', offset_minutes, ts) }}
{%- endmacro %}
{% macro duckdb__local_timestamp(ts, offset_minutes) -%}
  make_timestamp(epoch_us({{ ts }}) + {{ offset_minutes | int * 60000000 }})
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


{# Day of the week of a date, 0 = Sunday .. 6 = Saturday, on every engine. #}
{% macro day_of_week(expr) -%}
  {{ return(adapter.dispatch('day_of_week', 'realpeople')(expr)) }}
{%- endmacro %}
{% macro default__day_of_week(expr) -%}
  cast(extract(dow from {{ expr }}) as integer)
{%- endmacro %}
{% macro spark__day_of_week(expr) -%}
  (dayofweek({{ expr }}) - 1)
{%- endmacro %}


{# Base-2 logarithm (DuckDB's log2; Spark's log(2, x)). #}
{% macro log2(expr) -%}
  {{ return(adapter.dispatch('log2', 'realpeople')(expr)) }}
{%- endmacro %}
{% macro default__log2(expr) -%}
  log2({{ expr }})
{%- endmacro %}
{% macro spark__log2(expr) -%}
  log(2, {{ expr }})
{%- endmacro %}


{# Every match of `pattern` in `expr`, as an array of strings. #}
{% macro regex_extract_all(expr, pattern) -%}
  {{ return(adapter.dispatch('regex_extract_all', 'realpeople')(expr, pattern)) }}
{%- endmacro %}
{% macro default__regex_extract_all(expr, pattern) -%}
  regexp_extract_all({{ expr }}, '{{ pattern | replace("'", "''") }}')
{%- endmacro %}
{% macro spark__regex_extract_all(expr, pattern) -%}
  regexp_extract_all({{ expr }}, '{{ pattern | replace("\\", "\\\\") | replace("'", "\\'") }}', 0)
{%- endmacro %}


{# Number of elements, and of distinct elements, of an array. #}
{% macro array_size(expr) -%}
  {{ return(adapter.dispatch('array_size', 'realpeople')(expr)) }}
{%- endmacro %}
{% macro default__array_size(expr) -%}
  len({{ expr }})
{%- endmacro %}
{% macro spark__array_size(expr) -%}
  size({{ expr }})
{%- endmacro %}

{% macro array_distinct_size(expr) -%}
  {{ return(adapter.dispatch('array_distinct_size', 'realpeople')(expr)) }}
{%- endmacro %}
{% macro default__array_distinct_size(expr) -%}
  list_unique({{ expr }})
{%- endmacro %}
{% macro spark__array_distinct_size(expr) -%}
  size(array_distinct({{ expr }}))
{%- endmacro %}


{#- Order-free fingerprint of a text: split into phrases at whitespace, punctuation and
    symbols (emoji included), lowercase, drop digits, drop empty pieces, de-duplicate,
    sort and join. Two texts made of the same phrases in any order (a shuffled
    paraphrase, a renumbered template) get the same fingerprint. -#}
{% macro phrase_set_fingerprint(expr) -%}
  {{ return(adapter.dispatch('phrase_set_fingerprint', 'realpeople')(expr)) }}
{%- endmacro %}
{% macro default__phrase_set_fingerprint(expr) -%}
  {#- Digits are dropped from the whole text before splitting: the same pieces as dropping
      them from each piece after, without a regular expression per piece (2x faster). -#}
  array_to_string(list_sort(list_distinct(list_filter(
      string_split_regex(regexp_replace(lower({{ expr }}), '\d+', '', 'g'), '[\s\p{P}\p{S}]+'),
      x -> length(x) > 0))), ' ')
{%- endmacro %}
{% macro spark__phrase_set_fingerprint(expr) -%}
  array_join(array_sort(array_distinct(filter(
      transform(split(lower({{ expr }}), '[\\s\\p{P}\\p{S}]+'),
                x -> regexp_replace(x, '\\d+', '')),
      x -> length(x) > 0))), ' ')
{%- endmacro %}


{#- A 64-bit fingerprint of a string, for grouping equal texts: DuckDB's hash(), Spark's
    xxhash64(). Only equality matters (the values differ between engines, the groups do
    not); 8-byte keys make the joins and aggregations over millions of texts much cheaper
    than 32-character md5 strings. Two distinct texts share a fingerprint with
    probability ~n^2 / 2^65: about one pair in a billion distinct texts. -#}
{% macro text_fingerprint(expr) -%}
  {{ return(adapter.dispatch('text_fingerprint', 'realpeople')(expr)) }}
{%- endmacro %}
{% macro default__text_fingerprint(expr) -%}
  md5({{ expr }})
{%- endmacro %}
{% macro duckdb__text_fingerprint(expr) -%}
  hash({{ expr }})
{%- endmacro %}
{% macro spark__text_fingerprint(expr) -%}
  xxhash64({{ expr }})
{%- endmacro %}
