-- A rejected file: every one of its rows goes to quarantine with the file's reason.
insert into raw.quarantine
select $table_name, $delivery_date, $source_file, _file_row, $reason, to_json(landed),
       current_timestamp at time zone 'UTC'
from landed;
