-- Every landed file the ledger records, loaded or rejected alike: what "already loaded"
-- compares the landing zone with (realpeople.defs.ingest.landing.pending_deliveries).
-- The newest record of a path wins: a re-sent file replaces what was recorded before.
select table_name, _delivery_date, _source_file, file_bytes, file_mtime_ns
from raw.deliveries
qualify row_number() over (partition by table_name, _delivery_date, _source_file order by _loaded_at desc) = 1;
