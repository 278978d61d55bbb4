-- Every landed file the ledger records as loaded: table, delivery date, path and size.
select table_name, _delivery_date, _source_file, file_bytes
from raw.deliveries
where rejected_reason is null or rows_landed is not null;
