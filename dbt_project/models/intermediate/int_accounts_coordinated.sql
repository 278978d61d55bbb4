-- One row per account that shares a device or a near-copy text with another account in
-- the window: coordination (SynchroTrap / CopyCatch in miniature). A farm is many
-- accounts on few devices and one script, acting at the same moments.
--   device_cluster_accounts   other accounts that used one of its devices
--   device_lockstep_share     share of its active minutes in which another account of one
--                             of its shared devices was also active (on any device)
--   text_lockstep_share       share of its texts whose phrase set another account also
--                             posted within the same lockstep_text_minutes bucket
-- Everything is an aggregation over (group, time bucket); nothing pairs accounts
-- through texts (a viral phrase shared by thousands would make that quadratic). The
-- cluster size pairs accounts only through devices with at most
-- max_cluster_device_accounts accounts.
{%- set w = feature_window() %}
{%- set text_bucket_seconds = var('lockstep_text_minutes') | int * 60 %}

with events as (

    select account_id, event_ts
    from {{ ref('int_events_windowed') }}

),

-- Which devices each account used in the window: from the devices family's per-day
-- groups (window_connection_groups, exact), not from every event of the window.
account_devices as (

    select distinct account_id, device_id
    from ({{ window_connection_groups() }}) as g
    where device_id is not null

),

shared_devices as (

    select device_id
    from account_devices
    group by device_id
    having count(*) between 2 and {{ var('max_cluster_device_accounts') }}

),

memberships as (

    select ad.account_id, ad.device_id
    from account_devices as ad
    inner join shared_devices as sd
        on ad.device_id = sd.device_id

),

cluster_sizes as (

    select m1.account_id, count(distinct m2.account_id) as device_cluster_accounts
    from memberships as m1
    inner join memberships as m2
        on m1.device_id = m2.device_id
        and m1.account_id <> m2.account_id
    group by m1.account_id

),

-- Active minutes of accounts that share a device (the only ones that can be in lockstep).
account_minutes as (

    select distinct
        e.account_id,
        cast(floor({{ seconds_between(w.window_start, 'e.event_ts') }} / 60) as bigint) as minute_index
    from events as e
    where e.account_id in (select account_id from memberships)

),

device_minutes as (

    select m.device_id, am.minute_index, am.account_id
    from memberships as m
    inner join account_minutes as am
        on m.account_id = am.account_id

),

busy_device_minutes as (

    select device_id, minute_index
    from device_minutes
    group by device_id, minute_index
    having count(*) >= 2

),

lockstep_minutes as (

    select distinct dm.account_id, dm.minute_index
    from device_minutes as dm
    inner join busy_device_minutes as b
        on dm.device_id = b.device_id
        and dm.minute_index = b.minute_index

),

device_lockstep as (

    select
        am.account_id,
        count(lm.minute_index) * 1.0 / count(*) as device_lockstep_share
    from account_minutes as am
    left join lockstep_minutes as lm
        on am.account_id = lm.account_id
        and am.minute_index = lm.minute_index
    group by am.account_id

),

texts as (

    select
        f.account_id,
        f.phrase_set_hash,
        cast(floor({{ seconds_between(w.window_start, 'f.event_ts') }} / {{ text_bucket_seconds }}) as bigint)
            as bucket_index
    from {{ ref('int_texts_fingerprinted') }} as f
    where {{ in_feature_window('f') }}
      and f.phrase_set_hash is not null

),

lockstep_text_buckets as (

    select phrase_set_hash, bucket_index
    from texts
    group by phrase_set_hash, bucket_index
    having min(account_id) <> max(account_id)

),

text_lockstep as (

    select
        t.account_id,
        avg({{ flag('b.phrase_set_hash is not null') }}) as text_lockstep_share
    from texts as t
    left join lockstep_text_buckets as b
        on t.phrase_set_hash = b.phrase_set_hash
        and t.bucket_index = b.bucket_index
    group by t.account_id
    -- only accounts with some lockstep text get a row; the mart fills 0 for the rest
    having max(case when b.phrase_set_hash is not null then 1 else 0 end) = 1

),

coordinated_accounts as (

    select account_id from cluster_sizes
    union
    select account_id from device_lockstep
    union
    select account_id from text_lockstep

)

select
    a.account_id,
    coalesce(c.device_cluster_accounts, 0) as device_cluster_accounts,
    coalesce(d.device_lockstep_share, 0.0) as device_lockstep_share,
    coalesce(t.text_lockstep_share, 0.0) as text_lockstep_share
from coordinated_accounts as a
left join cluster_sizes as c on a.account_id = c.account_id
left join device_lockstep as d on a.account_id = d.account_id
left join text_lockstep as t on a.account_id = t.account_id
