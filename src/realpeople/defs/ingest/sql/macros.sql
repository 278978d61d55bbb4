-- How the contract's values are read, declared once for every validate_<table>.sql.
-- An id: text, surrounding whitespace (spaces, tabs, line breaks) trimmed, empty = null.
-- The same in every id column (event_id, account_id, target_account_id, ...) so that
-- ids join whatever column they came from. (Trimming a character set costs twice a plain
-- trim, so it runs only on values that start or end with a control or space character.)
create or replace temp macro contract_id(value) as
    nullif(
        case
            when ascii(cast(value as varchar)) <= 32 or ascii(right(cast(value as varchar), 1)) <= 32
                then trim(cast(value as varchar), chr(32) || chr(9) || chr(10) || chr(13))
            else cast(value as varchar)
        end,
        '');
-- A boolean: exactly true/false/1/0 in any case (Parquet booleans read as true/false);
-- anything else (2, -1, 'yes') is null here, and the row is quarantined.
create or replace temp macro contract_boolean(value) as
    case lower(cast(value as varchar))
        when 'true' then true when '1' then true
        when 'false' then false when '0' then false
    end;
-- One (column, format) finding over the rows aggregated (value_formats_<table>.sql): how
-- many values are present, how many are off the format, and the first off value by file
-- and row (cut to 80 characters). The file and row are arguments: a macro's body cannot
-- name the caller's columns.
create or replace temp macro format_finding(column_name, format_name, value, is_off, source_file, file_row) as {
    'column_name': column_name,
    'format_name': format_name,
    'present': count(value),
    'off': count(*) filter (where is_off),
    'first_off': min(
        { 'file': source_file, 'row': file_row, 'value': left(value, 80) }
    ) filter (where is_off)
};
