-- One row per landed accounts row: the contract's types, and the first reason (if any)
-- the row cannot be loaded. Reads `landed` (the file's
-- record batches, streamed once: loader._stage_file); $delivery_date is the dt folder.
-- Ids and booleans are read by the macros of macros.sql; a row the reader already
-- found unusable (_read_problem: not UTF-8, over a limit, unsplittable) keeps that reason.
create or replace temp table validated as
with typed as (
    select
        _file_row,
        _read_problem,
        contract_id(account_id) as account_id,
        cast(created_at as varchar) as _created_at_raw,
        try_cast(created_at as timestamptz) at time zone 'UTC' as created_at,
        nullif(cast(declared_country as varchar), '') as declared_country,
        cast(bio as varchar) as bio,
        nullif(cast(avatar_hash as varchar), '') as avatar_hash,
        cast(signup_client as varchar) as signup_client,
        nullif(cast(signup_ip_country as varchar), '') as signup_ip_country,
        cast(follower_count as varchar) as _follower_count_raw,
        try_cast(follower_count as bigint) as follower_count,
        try_cast(follower_count as double) as _follower_count_num,
        cast(following_count as varchar) as _following_count_raw,
        try_cast(following_count as bigint) as following_count,
        try_cast(following_count as double) as _following_count_num,
        landed as _landed_row
    from landed
),
checked as (
select
    * exclude (_read_problem, _created_at_raw, _follower_count_raw, _follower_count_num,
               _following_count_raw, _following_count_num),
    case
        when _read_problem is not null then _read_problem
        when account_id is null then 'account_id: null or empty'
        when _created_at_raw is null then 'created_at: null'
        when created_at is null then 'created_at: not a timestamp: ' || left(_created_at_raw, 60)
        when created_at >= cast($delivery_date as date) + interval 2 day
            then 'created_at: after the delivery date: ' || cast(created_at as varchar)
        when created_at < cast($platform_epoch as timestamp)
            then 'created_at: before the platform existed: ' || cast(created_at as varchar)
        when signup_client is null then 'signup_client: null'
        when signup_client not in ('app_ios', 'app_android', 'web', 'api')
            then 'signup_client: unknown value: ' || left(signup_client, 60)
        when _follower_count_raw is null then 'follower_count: null'
        when follower_count is null or _follower_count_num <> follower_count
            then 'follower_count: not an integer: ' || left(_follower_count_raw, 60)
        when follower_count < 0 then 'follower_count: negative: ' || _follower_count_raw
        when _following_count_raw is null then 'following_count: null'
        when following_count is null or _following_count_num <> following_count
            then 'following_count: not an integer: ' || left(_following_count_raw, 60)
        when following_count < 0 then 'following_count: negative: ' || _following_count_raw
    end as _reject_reason
from typed
)
-- The row as it arrived (JSON), built only for a row the quarantine takes.
select
    * exclude (_landed_row),
    case when _reject_reason is not null then to_json(_landed_row) end as _landed_json
from checked;
