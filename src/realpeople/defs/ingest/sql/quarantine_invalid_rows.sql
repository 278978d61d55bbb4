-- Rows of the validated file that break the contract, with their reason and the row as
-- it arrived (JSON, built only for these rows).
insert into raw.quarantine
select $table_name, $delivery_date, $source_file, validated._file_row, validated._reject_reason,
       to_json(landed), current_timestamp at time zone 'UTC'
from validated
inner join landed on validated._file_row = landed._file_row
where validated._reject_reason is not null;
