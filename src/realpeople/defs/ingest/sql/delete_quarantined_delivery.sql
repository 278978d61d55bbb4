-- Forget the quarantined rows of an earlier load of this delivery before reloading it.
delete from raw.quarantine where table_name = $table_name and _delivery_date = $delivery_date;
