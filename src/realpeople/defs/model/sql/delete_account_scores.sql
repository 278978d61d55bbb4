delete from account_scores where run_date = cast($run_date as date);
