-- One row per distinct non-empty text (post, comment, dm, group_message) of raw.events:
-- every measurement that is a function of the text alone. Templates, canned replies and short comments ("好看", "nice") repeat across
-- events (11.4M-event world: 4.56M texts, 0.41M distinct), so the regular expressions run
-- once per distinct text.
-- Incremental (append): a text is measured once, when the first delivery holding it
-- loads; a build looks only at the event days the deliveries loaded since the previous
-- build can touch (touched_event_days, macros/incremental.sql) and measures their texts
-- this table does not hold yet (an anti-join; no regular expression on the rest). Its
-- rows depend on the text and nothing else (no var, no date), so they hold for every run
-- date. Changing a measure's SQL (a macro below) needs
-- `dbt build --full-refresh -s int_texts_measured+`; a new column declared in
-- _int_accounts.yml rebuilds the layer by itself (defs/features/builds.py,
-- tables_to_rebuild).
-- A table of its own, not a CTE: an engine may otherwise defer the expressions past the
-- join back to events and evaluate them once per event again (DuckDB did).
-- Fingerprints are 64-bit hashes (text_fingerprint) of
--   normalised_hash   the text without case, whitespace, punctuation, symbols, digits
--   phrase_set_hash   the set of its phrases in any order (see phrase_set_fingerprint)
-- for every text; int_texts_fingerprinted keeps them only for texts whose normalised
-- form has at least min_shared_text_chars characters (normalised_length): "nice" or
-- "好看" from two accounts is not evidence of anything.
{{ config(materialized='incremental', incremental_strategy='append', on_schema_change='fail') }}

{%- set days = touched_event_days(this) if is_incremental() else none %}

with distinct_texts as (

    select e.text
    from {{ source('raw', 'events') }} as e
    {%- if is_incremental() %}
    left join {{ this }} as known
        on e.text = known.text
    {%- endif %}
    where {{ on_event_days('e.event_ts', days) }}
      and e.text is not null
      and length(trim(e.text)) > 0
      {%- if is_incremental() %}
      and known.text is null
      {%- endif %}
    group by e.text

),

measured as (

    select
        text,
        length(text) as text_length,
        {{ normalise_text('text') }} as normalised_text,
        {{ text_tokens('text') }} as tokens
    from distinct_texts

),

per_text as (

    select
        text,
        text_length,
        {{ distinct_char_count('text') }} * 1.0 / text_length as char_variety,
        {{ flag(dbt.position('chr(10)', 'text') ~ ' > 0') }} as has_line_break,
        {{ flag(has_list_marker('text')) }} as has_list_marker,
        {{ flag(has_emoji('text')) }} as has_emoji,
        (text_length - length({{ regex_replace_all('text', '\\p{P}+') }})) * 1.0 / text_length
            as punctuation_share,
        {{ array_size('tokens') }} as token_count,
        case when {{ array_size('tokens') }} > 0
             then {{ array_distinct_size('tokens') }} * 1.0 / {{ array_size('tokens') }} end
            as type_token_ratio,
        length(normalised_text) as normalised_length,
        {{ text_fingerprint('normalised_text') }} as normalised_hash,
        {{ text_fingerprint(phrase_set_fingerprint('text')) }} as phrase_set_hash
    from measured

)

select
    p.*,
    {{ loaded_through_now(this if is_incremental() else none) }} as loaded_through
from per_text as p
