insert into brake_trips
select cast($run_date as date), current_timestamp at time zone 'UTC', $message, $terminate,
       $trailing_median, $score_psi;
