-- The account_features rows of one run date, as the model reads them.
select * from account_features where run_date = cast($run_date as date);
