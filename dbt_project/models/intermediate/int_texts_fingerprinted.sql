-- One row per non-empty text (post, comment, dm, group_message) in the window: the
-- per-text measurements the content and coordination families share, from
-- int_texts_measured (computed once per distinct text, ever). A table, because both
-- families read it.
-- Which texts count (non-empty) is decided once, in int_texts_measured: the inner join
-- keeps exactly the events whose text it measured.
with texts as (

    select event_id, account_id, event_ts, event_type, text
    from {{ ref('int_events_windowed') }}

)

select
    t.event_id,
    t.account_id,
    t.event_ts,
    t.event_type,
    m.text_length,
    m.char_variety,
    m.has_line_break,
    m.has_list_marker,
    m.has_emoji,
    m.punctuation_share,
    m.token_count,
    m.type_token_ratio,
    -- Only texts long enough to count as shared carry fingerprints.
    case when m.normalised_length >= {{ var('min_shared_text_chars') }}
         then m.normalised_hash end as normalised_hash,
    case when m.normalised_length >= {{ var('min_shared_text_chars') }}
         then m.phrase_set_hash end as phrase_set_hash
from texts as t
inner join {{ ref('int_texts_measured') }} as m
    on t.text = m.text
