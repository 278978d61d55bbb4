-- A landed file, as pyarrow read it (the Arrow table `landed_arrow`), copied into DuckDB
-- (before the delivery's transaction): the contract columns it has, `_file_row`
-- and `_read_problem` (see ingest/reader.py).
create or replace temp table landed_copy as
select * from landed_arrow;
