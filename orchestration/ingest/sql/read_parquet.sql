-- A landed Parquet file as delivered, with its 0-based row order (`_file_row`).
-- hive_partitioning is off: the dt= folder is the delivery date, not a column of the file.
create or replace temp table landed as
select * exclude (ordinality), ordinality - 1 as _file_row
from read_parquet($path, hive_partitioning = false) with ordinality;
