-- One row per account: the features as of the run date.
select * from account_features where run_date = cast($run_date as date) order by account_id;
