-- One row per account that replied to a DM, received a DM, or commented on a post in the
-- window: responsiveness. Reply and comment targets are looked up by event_id (the only
-- self-joins on events), within the window: a target older than the window is not
-- matched, which keeps the join on the windowed slice; 28 days is far longer than the
-- latencies that matter here (seconds to hours).
with events as (

    select event_id, account_id, event_ts, event_type, target_account_id, target_event_id
    from {{ ref('int_events_windowed') }}
    where event_type in ('dm', 'comment', 'post')

),

dms as (

    select event_id, account_id, event_ts, target_account_id, target_event_id
    from events
    where event_type = 'dm'

),

-- An account answering the same message twice is timed by its first answer.
first_replies as (

    select account_id, target_event_id, min(event_ts) as replied_at
    from dms
    where target_event_id is not null
    group by account_id, target_event_id

),

dm_replies as (

    select
        r.account_id,
        {{ seconds_between('m.event_ts', 'r.replied_at') }} as reply_latency_seconds
    from first_replies as r
    inner join dms as m
        on r.target_event_id = m.event_id
    where m.account_id <> r.account_id
      and r.replied_at >= m.event_ts

),

reply_stats as (

    select
        account_id,
        count(*) as dm_replies,
        {{ median('reply_latency_seconds') }} as dm_reply_latency_median_seconds,
        avg({{ flag('reply_latency_seconds < 10') }}) as dm_reply_under_10s_share,
        -- A person's reply time depends on what they are doing; a program's barely moves.
        {{ coefficient_of_variation('reply_latency_seconds') }} as dm_reply_latency_cv
    from dm_replies
    group by account_id

),

-- DMs other accounts sent to this account, and whether this account answered each one.
inbound_stats as (

    select
        m.target_account_id as account_id,
        count(*) as dms_received,
        avg({{ flag('r.account_id is not null') }}) as dm_inbound_answered_share
    from dms as m
    left join first_replies as r
        on m.event_id = r.target_event_id
        and m.target_account_id = r.account_id
    where m.target_account_id is not null
      and m.target_account_id <> m.account_id
    group by m.target_account_id

),

comment_stats as (

    select
        c.account_id,
        count(*) as timed_comments,
        {{ median(seconds_between('p.event_ts', 'c.event_ts')) }} as comment_latency_median_seconds,
        avg({{ flag(seconds_between('p.event_ts', 'c.event_ts') ~ ' < 60') }}) as comment_under_60s_share
    from events as c
    inner join events as p
        on c.target_event_id = p.event_id
    where c.event_type = 'comment'
      and p.event_type = 'post'
      and c.event_ts >= p.event_ts
    group by c.account_id

),

responsive_accounts as (

    select account_id from reply_stats
    union
    select account_id from inbound_stats
    union
    select account_id from comment_stats

)

select
    a.account_id,
    coalesce(r.dm_replies, 0) as dm_replies,
    coalesce(i.dms_received, 0) as dms_received,
    coalesce(c.timed_comments, 0) as timed_comments,
    r.dm_reply_latency_median_seconds,
    r.dm_reply_under_10s_share,
    r.dm_reply_latency_cv,
    i.dm_inbound_answered_share,
    c.comment_latency_median_seconds,
    c.comment_under_60s_share
from responsive_accounts as a
left join reply_stats as r on a.account_id = r.account_id
left join inbound_stats as i on a.account_id = i.account_id
left join comment_stats as c on a.account_id = c.account_id
