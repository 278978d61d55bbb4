-- Rows of the validated file that break the contract, with their reason and the row as
-- it arrived (JSON, built by the validation only for these rows).
insert into raw.quarantine
select $table_name, $delivery_date, $source_file, _file_row, _reject_reason, _landed_json,
       current_timestamp at time zone 'UTC'
from validated
where _reject_reason is not null;
