-- A run date's feature rows, before they are replaced.
delete from main.account_features where run_date = cast($run_date as date);
