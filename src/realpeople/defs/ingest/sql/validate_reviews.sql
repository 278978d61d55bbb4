-- One row per landed reviews row: the contract's types, and the first reason (if any)
-- the row cannot be loaded. Reads `landed` (the file's
-- record batches, streamed once: loader._stage_file); $delivery_date is the dt folder.
-- Ids and booleans are read by the macros of macros.sql; a row the reader already
-- found unusable (_read_problem: not UTF-8, over a limit, unsplittable) keeps that reason.
create or replace temp table validated as
with typed as (
    select
        _file_row,
        _read_problem,
        contract_id(review_id) as review_id,
        contract_id(account_id) as account_id,
        cast(reviewed_at as varchar) as _reviewed_at_raw,
        try_cast(reviewed_at as timestamptz) at time zone 'UTC' as reviewed_at,
        cast(verdict as varchar) as verdict,
        cast(source as varchar) as source,
        landed as _landed_row
    from landed
),
checked as (
select
    * exclude (_read_problem, _reviewed_at_raw),
    case
        when _read_problem is not null then _read_problem
        when review_id is null then 'review_id: null or empty'
        when account_id is null then 'account_id: null or empty'
        when _reviewed_at_raw is null then 'reviewed_at: null'
        when reviewed_at is null then 'reviewed_at: not a timestamp: ' || left(_reviewed_at_raw, 60)
        when reviewed_at >= cast($delivery_date as date) + interval 2 day
            then 'reviewed_at: after the delivery date: ' || cast(reviewed_at as varchar)
        when reviewed_at < cast($platform_epoch as timestamp)
            then 'reviewed_at: before the platform existed: ' || cast(reviewed_at as varchar)
        when verdict is null then 'verdict: null'
        when verdict not in ('human', 'ai_assisted', 'ai_managed')
            then 'verdict: unknown value: ' || left(verdict, 60)
        when source is null then 'source: null'
        when source not in ('random_sample', 'user_report', 'appeal')
            then 'source: unknown value: ' || left(source, 60)
    end as _reject_reason
from typed
)
-- The row as it arrived (JSON), built only for a row the quarantine takes.
select
    * exclude (_landed_row),
    case when _reject_reason is not null then to_json(_landed_row) end as _landed_json
from checked;
