-- One row per account and delivery date: the version of the account as delivered that
-- day. Inside one delivery the last file / last row wins (the contract: "by dt, then
-- file order"). Versions from different days are all kept, with the delivery date that
-- superseded them, because features as of a past run date must see the snapshot that
-- was current then, not one re-delivered later. Pick "as of D" with
--   delivered_on <= D and (superseded_on is null or superseded_on > D).
with source as (

    select * from {{ source('raw', 'accounts') }}

),

ranked as (

    select
        *,
        row_number() over (
            partition by account_id, _delivery_date
            order by _source_file desc, _file_row desc
        ) as version_rank
    from source

),

versions as (

    select
        account_id,
        created_at,
        declared_country,
        bio,
        avatar_hash,
        signup_client,
        signup_ip_country,
        follower_count,
        following_count,
        _delivery_date as delivered_on,
        _source_file as source_file,
        _file_row as file_row
    from ranked
    where version_rank = 1

)

select
    *,
    {{ version_validity('account_id') }}
from versions
