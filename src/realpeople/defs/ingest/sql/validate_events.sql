-- One row per landed events row: the contract's types, and the first reason (if any)
-- the row cannot be loaded. Reads `landed` (the file's
-- record batches, streamed once: loader._stage_file); $delivery_date is the dt folder.
-- Ids and booleans are read by the macros of macros.sql; a row the reader already
-- found unusable (_read_problem: not UTF-8, over a limit, unsplittable) keeps that reason.
create or replace temp table validated as
with typed as (
    select
        _file_row,
        _read_problem,
        contract_id(event_id) as event_id,
        contract_id(account_id) as account_id,
        cast(event_ts as varchar) as _event_ts_raw,
        try_cast(event_ts as timestamptz) at time zone 'UTC' as event_ts,
        cast(event_type as varchar) as event_type,
        cast(client as varchar) as client,
        nullif(cast(device_id as varchar), '') as device_id,
        nullif(cast(ip_country as varchar), '') as ip_country,
        contract_id(target_account_id) as target_account_id,
        contract_id(target_event_id) as target_event_id,
        cast(text as varchar) as text,
        nullif(cast(image_hash as varchar), '') as image_hash,
        nullif(cast(location_tag as varchar), '') as location_tag,
        cast(ai_label as varchar) as _ai_label_raw,
        contract_boolean(ai_label) as ai_label,
        cast(ai_metadata as varchar) as _ai_metadata_raw,
        contract_boolean(ai_metadata) as ai_metadata,
        cast(commercial as varchar) as _commercial_raw,
        contract_boolean(commercial) as commercial,
        landed as _landed_row
    from landed
),
checked as (
select
    * exclude (_read_problem, _event_ts_raw, _ai_label_raw, _ai_metadata_raw, _commercial_raw),
    case
        when _read_problem is not null then _read_problem
        when event_id is null then 'event_id: null or empty'
        when account_id is null then 'account_id: null or empty'
        when _event_ts_raw is null then 'event_ts: null'
        when event_ts is null then 'event_ts: not a timestamp: ' || left(_event_ts_raw, 60)
        -- Late data (contract 1.1): up to $late_days days before dt; events after the end
        -- of dt (UTC) are quarantined with that reason. No grace day: the contract leaves
        -- none (the other tables keep theirs: the contract is silent on them).
        when event_ts >= cast($delivery_date as date) + interval 1 day
            then 'event_ts: after the delivery date: ' || cast(event_ts as varchar)
        when event_ts < cast($platform_epoch as timestamp)
            then 'event_ts: before the platform existed: ' || cast(event_ts as varchar)
        when event_ts < cast($delivery_date as date) - to_days(cast($late_days as integer))
            then 'event_ts: more than ' || cast($late_days as varchar) || ' days before the delivery date: '
                 || cast(event_ts as varchar)
        when event_type is null then 'event_type: null'
        when event_type not in ('post', 'comment', 'like', 'follow', 'dm', 'group_message', 'login')
            then 'event_type: unknown value: ' || left(event_type, 60)
        when client is null then 'client: null'
        when client not in ('app_ios', 'app_android', 'web', 'api')
            then 'client: unknown value: ' || left(client, 60)
        when _ai_label_raw is not null and ai_label is null
            then 'ai_label: not a boolean: ' || left(_ai_label_raw, 60)
        when _ai_metadata_raw is not null and ai_metadata is null
            then 'ai_metadata: not a boolean: ' || left(_ai_metadata_raw, 60)
        when _commercial_raw is not null and commercial is null
            then 'commercial: not a boolean: ' || left(_commercial_raw, 60)
    end as _reject_reason
from typed
)
-- The row as it arrived (JSON), built only for a row the quarantine takes.
select
    * exclude (_landed_row),
    case when _reject_reason is not null then to_json(_landed_row) end as _landed_json
from checked;
