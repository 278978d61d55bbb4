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
{#- Both engines subtract whole microseconds, then divide: exact, so a gap of exactly 10 s
    is 10.0 on either (epoch() differences of ~1.8e9-second doubles are off by ~1e-7 s,
    enough to flip a `< 10` or `> 1800`). Integer / integer is a double on both; a
    1000000.0 divisor would be a DECIMAL on Spark. -#}
{% macro duckdb__seconds_between(start_ts, end_ts) -%}
  ((epoch_us({{ end_ts }}) - epoch_us({{ start_ts }})) / 1000000)
{%- endmacro %}
{% macro spark__seconds_between(start_ts, end_ts) -%}
  ((unix_micros({{ end_ts }}) - unix_micros({{ start_ts }})) / 1000000)
{%- endmacro %}


{# A UTC instant as a plain (zone-less) timestamp in the platform's home time zone,
   `offset_minutes` east of UTC. Calendar day and hour of a zone-less timestamp are plain
   arithmetic; on a TIMESTAMP WITH TIME ZONE every cast goes through the time-zone
   library (DuckDB: ~6x slower over 11M events). Spark: dbt.dateadd, i.e. our
   spark__dateadd below. #}
{% macro local_timestamp(ts, offset_minutes) -%}
  {{ return(adapter.dispatch('local_timestamp', 'realpeople')(ts, offset_minutes)) }}
{%- endmacro %}
{% macro default__local_timestamp(ts, offset_minutes) -%}
  {{ dbt.dateadd('minute', offset_minutes, ts) }}
{%- endmacro %}
{% macro duckdb__local_timestamp(ts, offset_minutes) -%}
  make_timestamp(epoch_us({{ ts }}) + {{ offset_minutes | int * 60000000 }})
{%- endmacro %}


{#- Overrides dbt-spark's dateadd (dispatch finds the root project's spark__dateadd
    first). Its hour/minute/second variant goes through to_unix_timestamp, which drops
    the microseconds (every local_ts lost its fraction of a second: gaps, sessions and
    quiet stretches came out different from DuckDB), and it fails on NULL through
    assert_not_null. Spark 3.3+ has TIMESTAMPADD, exact to the microsecond. -#}
{% macro spark__dateadd(datepart, interval, from_date_or_timestamp) -%}
  timestampadd({{ datepart }}, {{ interval }}, {{ from_date_or_timestamp }})
{%- endmacro %}


{#- A CTE's materialisation hint, after `name as`: DuckDB materialises a CTE read more than
    once, which copies every column any reader takes; `not materialized` inlines it into
    each reader instead. Spark has no hint (it inlines every CTE). -#}
{% macro cte_materialized(materialized) -%}
  {{ return(adapter.dispatch('cte_materialized', 'realpeople')(materialized)) }}
{%- endmacro %}
{% macro default__cte_materialized(materialized) -%}
  {{ 'materialized' if materialized else 'not materialized' }}
{%- endmacro %}
{% macro spark__cte_materialized(materialized) -%}
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


{#- Regular expressions are written once, in RE2 syntax (DuckDB). Java's regex (Spark)
    accepts most of it as is (\x{...}, \p{P}, (?m)); spark_regex_literal() translates the
    rest and escapes the pattern for a Spark SQL string literal (where a backslash is
    itself an escape):
    - scripts: RE2's \p{Han} is Java's \p{IsHan};
    - \p{S}: Java 17 knows Unicode 13, so emoji added since (🫠 U+1FAE0 and the rest of
      Symbols and Pictographs Extended-A, U+1FA70-1FAFF) are not symbols to it; they
      are added as a nested class (a union in Java 9+, negation included). -#}
{% macro spark_regex_literal(pattern) -%}
  {#- a namespace: a plain `set` inside a Jinja loop does not outlive the iteration -#}
  {%- set ns = namespace(java=pattern) -%}
  {%- for script in ['Han', 'Hiragana', 'Katakana', 'Hangul', 'Latin', 'Cyrillic', 'Arabic'] -%}
    {%- set ns.java = ns.java | replace('\\p{' ~ script ~ '}', '\\p{Is' ~ script ~ '}') -%}
  {%- endfor -%}
  {%- set ns.java = ns.java | replace('\\p{S}', '[\\p{S}\\x{1FA70}-\\x{1FAFF}]') -%}
  '{{ ns.java | replace("\\", "\\\\") | replace("'", "\\'") }}'
{%- endmacro %}

{% macro regex_matches(expr, pattern) -%}
  {{ return(adapter.dispatch('regex_matches', 'realpeople')(expr, pattern)) }}
{%- endmacro %}
{% macro default__regex_matches(expr, pattern) -%}
  regexp_matches({{ expr }}, '{{ pattern | replace("'", "''") }}')
{%- endmacro %}
{% macro spark__regex_matches(expr, pattern) -%}
  ({{ expr }} rlike {{ spark_regex_literal(pattern) }})
{%- endmacro %}

{% macro regex_replace_all(expr, pattern, replacement='') -%}
  {{ return(adapter.dispatch('regex_replace_all', 'realpeople')(expr, pattern, replacement)) }}
{%- endmacro %}
{% macro default__regex_replace_all(expr, pattern, replacement) -%}
  regexp_replace({{ expr }}, '{{ pattern | replace("'", "''") }}', '{{ replacement }}', 'g')
{%- endmacro %}
{% macro spark__regex_replace_all(expr, pattern, replacement) -%}
  regexp_replace({{ expr }}, {{ spark_regex_literal(pattern) }}, '{{ replacement }}')
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
  regexp_extract_all({{ expr }}, {{ spark_regex_literal(pattern) }}, 0)
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
  {#- The same steps as the default: digits dropped, then split. -#}
  array_join(array_sort(array_distinct(filter(
      split(regexp_replace(lower({{ expr }}), '\\d+', ''), {{ spark_regex_literal('[\\s\\p{P}\\p{S}]+') }}),
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


{#- ---------------------------------------------------------------------------------
    Engine set-up and materialisation choices: the rest of what differs between the
    targets, so models carry no engine names.
--------------------------------------------------------------------------------- -#}

{#- on-run-start: make source('raw', ...) readable. On DuckDB the ingestion step writes
    raw.* itself: nothing to do. On Spark each raw table is an external Parquet table over
    the export the ingestion step writes (<dir>/<table>/_delivery_date=YYYY-MM-DD/), with
    the column types declared in _sources.yml. It is dropped and re-created on every
    invocation (metadata only; dropping an external table keeps its files) and its
    partitions re-listed, so a delivery replaced or added since the last run is seen and
    one removed is not. -#}
{% macro register_raw_sources() -%}
  {{ return(adapter.dispatch('register_raw_sources', 'realpeople')()) }}
{%- endmacro %}
{% macro default__register_raw_sources() -%}
  select 1
{%- endmacro %}
{% macro spark__register_raw_sources() -%}
  {%- if execute -%}
    {%- set location = env_var('REALPEOPLE_RAW_PARQUET_DIR', '../data/raw_parquet') -%}
    {%- set raw_sources = graph.sources.values() | selectattr('source_name', 'equalto', 'raw') | list -%}
    {%- do run_query('create schema if not exists ' ~ (raw_sources | first).schema) -%}
    {%- for src in raw_sources -%}
      {%- set relation = src.schema ~ '.' ~ src.identifier -%}
      {%- set columns = [] -%}
      {%- for column in src.columns.values() -%}
        {%- do columns.append(column.name ~ ' ' ~ column.data_type) -%}
      {%- endfor -%}
      {%- do run_query('drop table if exists ' ~ relation) -%}
      {%- do run_query('create table ' ~ relation ~ ' (' ~ columns | join(', ') ~ ') using parquet'
                       ~ ' partitioned by (_delivery_date)'
                       ~ " location '" ~ location ~ '/' ~ src.identifier ~ "'") -%}
      {%- do run_query('msck repair table ' ~ relation) -%}
    {%- endfor -%}
  {%- endif -%}
  select 1
{%- endmacro %}


{#- Config of an incremental model that replaces whole run dates (account_features; the
    per-event-day tables take replace_event_days_config).
    DuckDB: delete+insert on the unique key. Spark: the table is partitioned by
    `partition_column` and each run overwrites only the partitions it writes
    (insert_overwrite, dynamic partition overwrite), the Spark idiom for the same
    "re-running a date replaces exactly that date" (merge needs Delta/Iceberg, not
    installed here). Spark puts partition columns last in the table. -#}
{% macro replace_by_date_config(partition_column) -%}
  {{ return(adapter.dispatch('replace_by_date_config', 'realpeople')(partition_column)) }}
{%- endmacro %}
{% macro default__replace_by_date_config(partition_column) -%}
  {{ return({'incremental_strategy': 'delete+insert'}) }}
{%- endmacro %}
{% macro spark__replace_by_date_config(partition_column) -%}
  {{ return({'incremental_strategy': 'insert_overwrite', 'partition_by': [partition_column],
             'file_format': 'parquet'}) }}
{%- endmacro %}

{#- Config of an incremental table kept per event day (the staging repeats, the text
    fingerprints, the families' per-day partials): each build replaces the event days it
    computed. DuckDB: replace_event_days (macros/incremental.sql), a delete+insert that
    inserts its rows in event-day order, so that a later build's deletes drop whole row
    groups. Spark: as replace_by_date_config, partitions by day overwritten. -#}
{% macro replace_event_days_config(partition_column) -%}
  {{ return(adapter.dispatch('replace_event_days_config', 'realpeople')(partition_column)) }}
{%- endmacro %}
{% macro default__replace_event_days_config(partition_column) -%}
  {{ return({'incremental_strategy': 'replace_event_days'}) }}
{%- endmacro %}
{% macro spark__replace_event_days_config(partition_column) -%}
  {{ return(spark__replace_by_date_config(partition_column)) }}
{%- endmacro %}
