-- One row per account with at least one text or post in the window: what it writes and
-- posts. Per-text measurements come from int_texts_fingerprinted. Sharing ("the same
-- text / near-copy / image from another account") is decided per hash with
-- min(account_id) <> max(account_id): one hash aggregation each, no self-join and no
-- count(distinct).
-- Commercial change: the account's commercial share over the later half of its own
-- posting span in the window (first to last post) minus the earlier half. Farms
-- cultivate an audience with harmless posts, then sell.

{%- set later_half = '(' ~ seconds_between('ps.first_post_ts', 'p.event_ts') ~ ' * 2 >= ps.span_seconds)' %}

with texts as (

    select *
    from {{ ref('int_texts_fingerprinted') }} as f
    where {{ in_feature_window('f') }}

),

shared_texts as (

    select normalised_hash
    from texts
    where normalised_hash is not null
    group by normalised_hash
    having min(account_id) <> max(account_id)

),

near_copies as (

    select phrase_set_hash
    from texts
    where phrase_set_hash is not null
    group by phrase_set_hash
    having min(account_id) <> max(account_id)

),

text_stats as (

    select
        t.account_id,
        count(*) as texts,
        -- Post length in tokens (a CJK character or a word each count one), over posts
        -- only. Characters over every text made writing in two scripts (English words are
        -- several characters, a Chinese character one) and posting more than commenting
        -- look like AI writing help: seed 88 warned 17.5 % of expats on text-length
        -- variation in characters (docs/models.md, the warn guard).
        {%- set post_tokens = "case when t.event_type = 'post' then t.token_count end" %}
        avg({{ post_tokens }}) as post_tokens_mean,
        {{ coefficient_of_variation(post_tokens) }} as post_tokens_cv,
        -- No mean character variety (distinct characters / characters) either: it is lower
        -- for Latin script and for longer texts, so it read writing in English as AI help
        -- (the next feature the 76 people wrongly warned on seed 88 rested on, once length
        -- counted tokens); type_token_ratio_mean measures repetition on tokens.
        avg(t.has_line_break) as line_break_share,
        avg(t.has_list_marker) as list_marker_share,
        avg(t.has_emoji) as emoji_share,
        avg(t.punctuation_share) as punctuation_share,
        -- texts of at least 5 tokens: shorter ones are all-distinct by construction
        avg(case when t.token_count >= 5 then t.type_token_ratio end) as type_token_ratio_mean,
        avg({{ flag('s.normalised_hash is not null') }}) as text_shared_share,
        avg({{ flag('n.phrase_set_hash is not null') }}) as text_near_copy_share,
        -- How often it repeats itself: distinct phrase sets over texts that have one.
        case when count(t.phrase_set_hash) >= 2
             then count(distinct t.phrase_set_hash) * 1.0 / count(t.phrase_set_hash) end
            as text_distinct_share
    from texts as t
    left join shared_texts as s
        on t.normalised_hash = s.normalised_hash
    left join near_copies as n
        on t.phrase_set_hash = n.phrase_set_hash
    group by t.account_id

),

posts as (

    select account_id, event_ts, image_hash, ai_label, ai_metadata, commercial
    from {{ ref('int_events_windowed') }}
    where event_type = 'post'

),

post_spans as (

    select
        account_id,
        min(event_ts) as first_post_ts,
        {{ seconds_between('min(event_ts)', 'max(event_ts)') }} as span_seconds
    from posts
    group by account_id

),

shared_images as (

    select image_hash
    from posts
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
        avg(case when {{ later_half }} then {{ flag('p.commercial') }} end)
            - avg(case when not {{ later_half }} then {{ flag('p.commercial') }} end)
            as commercial_share_change,
        sum(case when si.image_hash is not null then 1 else 0 end) as reused_image_posts
    from posts as p
    inner join post_spans as ps
        on p.account_id = ps.account_id
    left join shared_images as si
        on p.image_hash = si.image_hash
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
    t.post_tokens_mean,
    t.post_tokens_cv,
    t.line_break_share,
    t.list_marker_share,
    t.emoji_share,
    t.punctuation_share,
    t.type_token_ratio_mean,
    t.text_shared_share,
    t.text_near_copy_share,
    t.text_distinct_share,
    case when p.image_posts > 0 then p.reused_image_posts * 1.0 / p.image_posts end
        as image_reused_share,
    p.ai_label_share,
    p.ai_metadata_share,
    p.commercial_share,
    p.commercial_share_change
from content_accounts as a
left join text_stats as t on a.account_id = t.account_id
left join post_stats as p on a.account_id = p.account_id
