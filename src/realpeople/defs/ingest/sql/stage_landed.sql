-- A landed file whose header the contract rejects, as pyarrow read it (the record batches
-- `landed`), copied into DuckDB as it arrived (before the delivery's transaction), to be
-- quarantined whole: the contract columns it has, `_file_row` and `_read_problem` (see
-- ingest/reader.py).
create or replace temp table landed_copy as
select * from landed;
