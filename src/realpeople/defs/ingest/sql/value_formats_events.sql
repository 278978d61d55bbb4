-- One row per (column, format) of contract.COLUMN_FORMATS['events'], over the rows one
-- delivery ($delivery_date) loaded into raw.events: values present, values off the format,
-- the first off value with its file and row, and the rows loaded. The formats' patterns and
-- lengths come as parameters named after contract.VALUE_FORMATS (tests/unit/
-- test_contract_copies.py holds these rows to that declaration). One pass over the rows.
select
    unnest([
        format_finding('event_id', 'id_chars', event_id, length(event_id) > $id_chars, _source_file, _file_row),
        format_finding('account_id', 'id_chars', account_id, length(account_id) > $id_chars, _source_file, _file_row),
        format_finding('ip_country', 'country', ip_country, not regexp_full_match(ip_country, $country), _source_file, _file_row),
        format_finding('target_account_id', 'id_chars', target_account_id, length(target_account_id) > $id_chars, _source_file, _file_row),
        format_finding('target_event_id', 'id_chars', target_event_id, length(target_event_id) > $id_chars, _source_file, _file_row),
        format_finding('text', 'text_chars', text, length(text) > $text_chars, _source_file, _file_row),
        format_finding('image_hash', 'hex', image_hash, not regexp_full_match(image_hash, $hex), _source_file, _file_row),
        format_finding('location_tag', 'country', location_tag, not regexp_full_match(location_tag, $country), _source_file, _file_row)
    ], recursive := true),
    count(*) as rows_loaded
from raw.events
where _delivery_date = $delivery_date;
