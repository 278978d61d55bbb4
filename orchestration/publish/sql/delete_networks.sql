delete from networks where run_date = cast($run_date as date);
delete from network_members where run_date = cast($run_date as date);
