delete from enforcement_list where run_date = cast($run_date as date);
