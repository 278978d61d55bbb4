-- Rows of the validated file that break the contract, with their reason.
insert into raw.quarantine
select $table_name, $delivery_date, $source_file, _file_row, _reject_reason, _record,
       current_timestamp at time zone 'UTC'
from validated
where _reject_reason is not null;
