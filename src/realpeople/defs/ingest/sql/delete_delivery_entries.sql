-- Forget the refused entries an earlier load of this delivery recorded inside its folder.
delete from raw.landing_entries
where scope = 'delivery' and table_name = $table_name and _delivery_date = $delivery_date;
