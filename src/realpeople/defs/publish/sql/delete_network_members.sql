delete from network_members where run_date = cast($run_date as date);
