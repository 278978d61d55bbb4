insert into brake_releases (run_date, released_by, reason, released_at, tripped_at)
select cast($run_date as date), $released_by, $reason, current_timestamp at time zone 'UTC', $tripped_at;
