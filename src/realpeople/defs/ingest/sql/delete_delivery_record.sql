-- Forget the file records of an earlier load of this delivery before reloading it.
delete from raw.deliveries where table_name = $table_name and _delivery_date = $delivery_date;
