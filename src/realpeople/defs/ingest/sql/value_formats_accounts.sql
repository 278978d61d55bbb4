-- One row per (column, format) of contract.COLUMN_FORMATS['accounts'], over the rows one
-- delivery ($delivery_date) loaded into raw.accounts: as value_formats_events.sql.
select
    unnest([
        format_finding('account_id', 'id_chars', account_id, length(account_id) > $id_chars, _source_file, _file_row),
        format_finding('declared_country', 'country', declared_country, not regexp_full_match(declared_country, $country), _source_file, _file_row),
        format_finding('bio', 'bio_chars', bio, length(bio) > $bio_chars, _source_file, _file_row),
        format_finding('avatar_hash', 'hex', avatar_hash, not regexp_full_match(avatar_hash, $hex), _source_file, _file_row),
        format_finding('signup_ip_country', 'country', signup_ip_country, not regexp_full_match(signup_ip_country, $country), _source_file, _file_row)
    ], recursive := true),
    count(*) as rows_loaded
from raw.accounts
where _delivery_date = $delivery_date;
