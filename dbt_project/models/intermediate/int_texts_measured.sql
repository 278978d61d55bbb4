-- One row per distinct non-empty text (post, comment, dm, group_message) in the window:
-- every measurement that is a function of the text alone. Templates, canned replies and
-- short comments ("好看", "nice") repeat across events (11.4M-event world: 4.56M texts,
-- 0.41M distinct), so the regular expressions run once per distinct text.
-- A table of its own, not a CTE: an engine may otherwise defer the expressions past the
-- join back to events and evaluate them once per event again (DuckDB did).
-- Fingerprints are 64-bit hashes (text_fingerprint) of
--   normalised_hash   the text without case, whitespace, punctuation, symbols, digits
--   phrase_set_hash   the set of its phrases in any order (see phrase_set_fingerprint)
-- and are NULL when the normalised text is shorter than min_shared_text_chars: "nice"
-- or "好看" from two accounts is not evidence of anything.
with distinct_texts as (

    select text
    from {{ ref('int_events_windowed') }}
    where text is not null
      and length(trim(text)) > 0
    group by text

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
        case when length(normalised_text) >= {{ var('min_shared_text_chars') }}
             then {{ text_fingerprint('normalised_text') }} end as normalised_hash,
        case when length(normalised_text) >= {{ var('min_shared_text_chars') }}
             then {{ text_fingerprint(phrase_set_fingerprint('text')) }} end as phrase_set_hash
    from measured

)

select * from per_text
