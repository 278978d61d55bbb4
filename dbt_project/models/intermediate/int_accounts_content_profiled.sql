-- One row per account with at least one text or post in the window: what it writes and
-- posts. Sharing ("the same text / image from another account") is decided per
-- normalised text and per image hash with min(account_id) <> max(account_id): one hash
-- aggregation each, no self-join and no count(distinct).
with events as (

    select account_id, event_type, text, image_hash, ai_label, ai_metadata, commercial
    from {{ ref('int_events_windowed') }}

),

texts as (

    select
        account_id,
        text,
        length(text) as text_length,
        {{ normalise_text('text') }} as normalised_text
    from events
    where text is not null
      and length(trim(text)) > 0

),

shared_texts as (

    select normalised_text
    from texts
    where length(normalised_text) >= {{ var('min_shared_text_chars') }}
    group by normalised_text
    having min(account_id) <> max(account_id)

),

text_stats as (

    select
        t.account_id,
        count(*) as texts,
        avg(t.text_length) as text_length_mean,
        {{ coefficient_of_variation('t.text_length') }} as text_length_cv,
        avg({{ distinct_char_count('t.text') }} * 1.0 / t.text_length) as char_variety_mean,
        avg({{ flag(dbt.position('chr(10)', 't.text') ~ ' > 0') }}) as line_break_share,
        avg({{ flag(has_list_marker('t.text')) }}) as list_marker_share,
        avg({{ flag(has_emoji('t.text')) }}) as emoji_share,
        avg({{ flag('s.normalised_text is not null') }}) as text_shared_share
    from texts as t
    left join shared_texts as s
        on t.normalised_text = s.normalised_text
    group by t.account_id

),

shared_images as (

    select image_hash
    from events
    where image_hash is not null
    group by image_hash
    having min(account_id) <> max(account_id)

),

post_stats as (

    select
        p.account_id,
        count(*) as posts,
        count(p.image_hash) as image_posts,
        avg({{ flag('p.ai_label') }}) as ai_label_share,
        avg({{ flag('p.ai_metadata') }}) as ai_metadata_share,
        avg({{ flag('p.commercial') }}) as commercial_share,
        sum(case when si.image_hash is not null then 1 else 0 end) as reused_image_posts
    from events as p
    left join shared_images as si
        on p.image_hash = si.image_hash
    where p.event_type = 'post'
    group by p.account_id

),

content_accounts as (

    select account_id from text_stats
    union
    select account_id from post_stats

)

select
    a.account_id,
    coalesce(t.texts, 0) as texts,
    coalesce(p.posts, 0) as posts,
    coalesce(p.image_posts, 0) as image_posts,
    t.text_length_mean,
    t.text_length_cv,
    t.char_variety_mean,
    t.line_break_share,
    t.list_marker_share,
    t.emoji_share,
    t.text_shared_share,
    case when p.image_posts > 0 then p.reused_image_posts * 1.0 / p.image_posts end
        as image_reused_share,
    p.ai_label_share,
    p.ai_metadata_share,
    p.commercial_share
from content_accounts as a
left join text_stats as t on a.account_id = t.account_id
left join post_stats as p on a.account_id = p.account_id
