-- One row per event_id: the first arrival of every event in raw.events. Re-deliveries
-- (a re-sent dt, or a late file) repeat event_ids; stg_activity__event_repeats lists
-- every row that is not a first arrival (earliest delivery date, then file name, then
-- row order in the file), and this view drops exactly those rows. First arrival is also
-- what point-in-time needs: a re-send after the run date never hides an event that was
-- already delivered by then.
select
    e.event_id,
    e.account_id,
    e.event_ts,
    e.event_type,
    e.client,
    e.device_id,
    e.ip_country,
    e.target_account_id,
    e.target_event_id,
    e.text,
    e.image_hash,
    e.location_tag,
    cast(e.ai_label as boolean) as ai_label,
    cast(e.ai_metadata as boolean) as ai_metadata,
    cast(e.commercial as boolean) as commercial,
    e._delivery_date as delivered_on,
    e._source_file as source_file,
    e._file_row as file_row
from {{ source('raw', 'events') }} as e
-- (The repeats' per-day marker rows have a NULL event_id and never match.)
left join {{ ref('stg_activity__event_repeats') }} as r
    on e.event_id = r.event_id
    and e._delivery_date = r.delivered_on
    and e._source_file = r.source_file
    and e._file_row = r.file_row
where r.event_id is null
