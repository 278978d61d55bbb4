delete from networks where run_date = cast($run_date as date);
