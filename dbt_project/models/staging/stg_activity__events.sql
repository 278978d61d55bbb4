-- One row per event_id. Re-deliveries (a re-sent dt, or a late file) repeat event_ids,
-- and the contract says a repeat is the same event, so staging keeps the first arrival:
-- earliest delivery date, then file name, then row order in the file. First arrival is
-- also what point-in-time needs: a re-send after the run date never hides an event that
-- was already delivered by then.
with source as (

    select * from {{ source('raw', 'events') }}

),

ranked as (

    select
        *,
        row_number() over (
            partition by event_id
            order by _delivery_date, _source_file, _file_row
        ) as arrival_rank
    from source

)

select
    event_id,
    account_id,
    event_ts,
    event_type,
    client,
    device_id,
    ip_country,
    target_account_id,
    target_event_id,
    text,
    image_hash,
    location_tag,
    cast(ai_label as boolean) as ai_label,
    cast(ai_metadata as boolean) as ai_metadata,
    cast(commercial as boolean) as commercial,
    _delivery_date as delivered_on,
    _source_file as source_file,
    _file_row as file_row
from ranked
where arrival_rank = 1
