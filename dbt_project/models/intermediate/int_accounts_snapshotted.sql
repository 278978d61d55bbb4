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

),

-- The same bio on several accounts (long enough to mean something) is a farm template.
shared_bios as (

    select {{ normalise_text('bio') }} as normalised_bio
    from snapshots
    where bio is not null
      and length({{ normalise_text('bio') }}) >= {{ var('min_shared_text_chars') }}
    group by {{ normalise_text('bio') }}
    having min(account_id) <> max(account_id)

),

-- Growth: the earliest snapshot delivered inside the window against the current one.
-- Only accounts re-delivered in the window (a change) have two; the rest stay NULL.
-- stg_activity__accounts holds one row per account and delivery date, so min_by picks
-- one row. An aggregate, not row_number() = 1: on an accounts table that never held a
-- row (events delivered, no accounts yet, or every account row quarantined) DuckDB 1.5.6
-- failed that window's top-N rewrite with an internal error (tests/reliability).
earliest_in_window as (

    select
        account_id,
        min(delivered_on) as delivered_on,
        min_by(follower_count, delivered_on) as follower_count,
        min_by(following_count, delivered_on) as following_count
    from {{ ref('stg_activity__accounts') }}
    where delivered_on <= {{ w.run_date }}
      and delivered_on >= cast({{ w.window_start }} as date)
    group by account_id

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
    case when sa.avatar_hash is not null then 1 else 0 end as avatar_shared,
    case when sb.normalised_bio is not null then 1 else 0 end as bio_shared,
    {{ country_mismatch('s.signup_ip_country', 's.declared_country') }} as signup_declared_country_mismatch,
    case when e.delivered_on < s.delivered_on
         then (s.follower_count - e.follower_count) * 1.0
              / {{ dbt.datediff('e.delivered_on', 's.delivered_on', 'day') }} end
        as follower_growth_per_day,
    case when e.delivered_on < s.delivered_on
         then (s.following_count - e.following_count) * 1.0
              / {{ dbt.datediff('e.delivered_on', 's.delivered_on', 'day') }} end
        as following_growth_per_day
from snapshots as s
left join shared_avatars as sa
    on s.avatar_hash = sa.avatar_hash
left join shared_bios as sb
    on {{ normalise_text('s.bio') }} = sb.normalised_bio
left join earliest_in_window as e
    on s.account_id = e.account_id
