-- A landed CSV file (UTF-8, header row, RFC 4180 quoting), every column as text, with
-- its 0-based row order (`_file_row`). hive_partitioning is off: dt= is the delivery date.
create or replace temp table landed as
select * exclude (ordinality), ordinality - 1 as _file_row
from read_csv(
    $path,
    header = true,
    delim = ',',
    quote = '"',
    escape = '"',
    all_varchar = true,
    encoding = 'utf-8',
    strict_mode = true,
    hive_partitioning = false
) with ordinality;
