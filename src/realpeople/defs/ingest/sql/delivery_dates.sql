-- The delivery dates present in one raw table, oldest first.
select distinct _delivery_date from query_table($table_name) order by 1;
