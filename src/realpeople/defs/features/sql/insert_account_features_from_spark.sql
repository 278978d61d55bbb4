-- One row per (run_date, account_id): the run date's partition of the Spark-built mart
-- (its Parquet files), copied into DuckDB's account_features by column name.
insert into main.account_features by name
select cast($run_date as date) as run_date, *
from read_parquet($files, hive_partitioning = false);
