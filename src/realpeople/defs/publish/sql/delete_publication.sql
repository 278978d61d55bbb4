delete from publications where run_date = cast($run_date as date);
