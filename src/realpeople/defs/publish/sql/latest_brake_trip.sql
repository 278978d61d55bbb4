select max(tripped_at) from brake_trips
where run_date = cast($run_date as date);
