-- An empty account_features in DuckDB with the Spark mart's columns, in the mart's order
-- (Spark keeps its partition column run_date out of the files, in the folder name; it
-- goes first again here, from the parameter, with DuckDB's hive partitioning off).
create table if not exists main.account_features as
select cast($run_date as date) as run_date, *
from read_parquet($files, hive_partitioning = false)
-- No rows are read, so their order is moot.
limit 0;  -- noqa: AM09
