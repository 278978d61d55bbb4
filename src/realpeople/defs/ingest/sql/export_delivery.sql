-- One delivery of one raw table as a Parquet file, for engines that read the raw layer
-- as files (Spark). The delivery date is the folder name (hive-style
-- _delivery_date=YYYY-MM-DD), not a column, as partitioned datasets keep it.
-- sqlfluff's DuckDB grammar lacks COPY (...) TO with a parameter.
copy (  -- noqa: PRS
    select * exclude (_delivery_date)
    from query_table($table_name)
    where _delivery_date = cast($delivery_date as date)
) to $path (format parquet, compression zstd);
