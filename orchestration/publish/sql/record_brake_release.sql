insert into brake_releases
select cast($run_date as date), $released_by, $reason, current_timestamp at time zone 'UTC';
