-- One row per non-empty text (post, comment, dm, group_message) in the window: the
-- per-text measurements the content and coordination families share, from
-- int_texts_measured (computed once per distinct text). A table, because both families
-- read it.
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
    m.normalised_hash,
    m.phrase_set_hash
from texts as t
inner join {{ ref('int_texts_measured') }} as m
    on t.text = m.text
