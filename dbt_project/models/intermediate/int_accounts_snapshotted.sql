-- One row per account known as of the run date D: the latest snapshot delivered on or
-- before D (a re-delivery after D must not leak into D's features), of accounts created
-- before the end of D. Also carries the profile features that need no events.
{%- set w = feature_window() %}

with snapshots as (

    select *
    from {{ ref('stg_activity__accounts') }}
    where delivered_on <= {{ w.run_date }}
      and (superseded_on is null or superseded_on > {{ w.run_date }})
      and created_at < {{ w.window_end }}

),

-- An avatar reused by several accounts points at a farm working from one asset pool.
shared_avatars as (

    select avatar_hash
    from snapshots
    where avatar_hash is not null
    group by avatar_hash
    having min(account_id) <> max(account_id)

)

select
    s.account_id,
    s.delivered_on as snapshot_delivered_on,
    s.created_at,
    s.declared_country,
    s.signup_client,
    s.signup_ip_country,
    s.avatar_hash,
    s.follower_count,
    s.following_count,
    cast(floor({{ seconds_between('s.created_at', w.window_end) }} / 86400.0) as integer)
        as account_age_days,
    ln((cast(s.follower_count as double) + 1.0) / (cast(s.following_count as double) + 1.0))
        as log_follower_following_ratio,
    case when s.signup_client = 'api' then 1 else 0 end as signup_via_api,
    case when sa.avatar_hash is not null then 1 else 0 end as avatar_shared
from snapshots as s
left join shared_avatars as sa
    on s.avatar_hash = sa.avatar_hash
