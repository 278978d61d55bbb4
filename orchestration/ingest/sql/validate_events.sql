-- One row per landed events row: the contract's types, and the first reason (if any)
-- the row cannot be loaded. Reads the temp table `landed`; $delivery_date is the dt folder.
create or replace temp table validated as
with typed as (
    select
        _file_row,
        nullif(trim(cast(event_id as varchar)), '') as event_id,
        nullif(trim(cast(account_id as varchar)), '') as account_id,
        cast(event_ts as varchar) as _event_ts_raw,
        try_cast(event_ts as timestamptz) at time zone 'UTC' as event_ts,
        cast(event_type as varchar) as event_type,
        cast(client as varchar) as client,
        nullif(cast(device_id as varchar), '') as device_id,
        nullif(cast(ip_country as varchar), '') as ip_country,
        nullif(cast(target_account_id as varchar), '') as target_account_id,
        nullif(cast(target_event_id as varchar), '') as target_event_id,
        cast(text as varchar) as text,
        nullif(cast(image_hash as varchar), '') as image_hash,
        nullif(cast(location_tag as varchar), '') as location_tag,
        cast(ai_label as varchar) as _ai_label_raw,
        try_cast(ai_label as boolean) as ai_label,
        cast(ai_metadata as varchar) as _ai_metadata_raw,
        try_cast(ai_metadata as boolean) as ai_metadata,
        cast(commercial as varchar) as _commercial_raw,
        try_cast(commercial as boolean) as commercial
    from landed
)
select
    * exclude (_event_ts_raw, _ai_label_raw, _ai_metadata_raw, _commercial_raw),
    case
        when event_id is null then 'event_id: null or empty'
        when account_id is null then 'account_id: null or empty'
        when _event_ts_raw is null then 'event_ts: null'
        when event_ts is null then 'event_ts: not a timestamp: ' || left(_event_ts_raw, 60)
        when event_ts >= cast($delivery_date as date) + interval 2 day
            then 'event_ts: after the delivery date: ' || cast(event_ts as varchar)
        when event_ts < cast($platform_epoch as timestamp)
            then 'event_ts: before the platform existed: ' || cast(event_ts as varchar)
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
from typed;
