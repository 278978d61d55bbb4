-- One row per landed appeals row: the contract's types, and the first reason (if any)
-- the row cannot be loaded. Reads `landed` (the file's
-- record batches, streamed once: loader._stage_file); $delivery_date is the dt folder.
-- Ids and booleans are read by the macros of macros.sql; a row the reader already
-- found unusable (_read_problem: not UTF-8, over a limit, unsplittable) keeps that reason.
create or replace temp table validated as
with typed as (
    select
        _file_row,
        _read_problem,
        contract_id(appeal_id) as appeal_id,
        contract_id(account_id) as account_id,
        cast(action as varchar) as action,
        cast(filed_at as varchar) as _filed_at_raw,
        try_cast(filed_at as timestamptz) at time zone 'UTC' as filed_at,
        cast(outcome as varchar) as outcome,
        cast(decided_at as varchar) as _decided_at_raw,
        try_cast(decided_at as timestamptz) at time zone 'UTC' as decided_at,
        landed as _landed_row
    from landed
),
checked as (
select
    * exclude (_read_problem, _filed_at_raw, _decided_at_raw),
    case
        when _read_problem is not null then _read_problem
        when appeal_id is null then 'appeal_id: null or empty'
        when account_id is null then 'account_id: null or empty'
        when action is null then 'action: null'
        when action not in ('terminate', 'warn_and_limit')
            then 'action: unknown value: ' || left(action, 60)
        when _filed_at_raw is null then 'filed_at: null'
        when filed_at is null then 'filed_at: not a timestamp: ' || left(_filed_at_raw, 60)
        when filed_at >= cast($delivery_date as date) + interval 2 day
            then 'filed_at: after the delivery date: ' || cast(filed_at as varchar)
        when filed_at < cast($platform_epoch as timestamp)
            then 'filed_at: before the platform existed: ' || cast(filed_at as varchar)
        when outcome is null then 'outcome: null'
        when outcome not in ('pending', 'upheld', 'overturned')
            then 'outcome: unknown value: ' || left(outcome, 60)
        when _decided_at_raw is not null and decided_at is null
            then 'decided_at: not a timestamp: ' || left(_decided_at_raw, 60)
    end as _reject_reason
from typed
)
-- The row as it arrived (JSON), built only for a row the quarantine takes.
select
    * exclude (_landed_row),
    case when _reject_reason is not null then to_json(_landed_row) end as _landed_json
from checked;
