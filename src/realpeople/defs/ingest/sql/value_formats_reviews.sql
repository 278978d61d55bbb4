-- One row per (column, format) of contract.COLUMN_FORMATS['reviews'], over the rows one
-- delivery ($delivery_date) loaded into raw.reviews: as value_formats_events.sql.
select
    unnest([
        format_finding('review_id', 'id_chars', review_id, length(review_id) > $id_chars, _source_file, _file_row),
        format_finding('account_id', 'id_chars', account_id, length(account_id) > $id_chars, _source_file, _file_row)
    ], recursive := true),
    count(*) as rows_loaded
from raw.reviews
where _delivery_date = $delivery_date;
