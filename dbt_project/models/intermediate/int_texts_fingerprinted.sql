-- One row per non-empty text (post, comment, dm, group_message) in the window: the
-- per-text measurements the content and coordination families share. A table, because
-- both read it and the fingerprints (regular expressions over every text) are the
-- costliest part of the features; computing them once is cheaper than twice.
-- Fingerprints are md5 hashes (32 hex characters on every engine) of
--   normalised_hash   the text without case, whitespace, punctuation, symbols, digits
--   phrase_set_hash   the set of its phrases in any order (see phrase_set_fingerprint)
-- and are NULL when the normalised text is shorter than min_shared_text_chars: "nice"
-- or "好看" from two accounts is not evidence of anything.
with texts as (

    select event_id, account_id, event_ts, event_type, text
    from {{ ref('int_events_windowed') }}
    where text is not null
      and length(trim(text)) > 0

),

measured as (

    select
        event_id,
        account_id,
        event_ts,
        event_type,
        text,
        length(text) as text_length,
        {{ normalise_text('text') }} as normalised_text,
        {{ text_tokens('text') }} as tokens
    from texts

)

select
    event_id,
    account_id,
    event_ts,
    event_type,
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
         then md5(normalised_text) end as normalised_hash,
    case when length(normalised_text) >= {{ var('min_shared_text_chars') }}
         then md5({{ phrase_set_fingerprint('text') }}) end as phrase_set_hash
from measured
