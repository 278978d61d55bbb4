-- The account_scores rows of one run date, as the enforcement list reads them.
select * exclude (scored_at) from account_scores where run_date = cast($run_date as date);
