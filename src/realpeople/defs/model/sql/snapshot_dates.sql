-- One row per run date that already has a feature snapshot in account_features.
select distinct run_date from main.account_features order by run_date;
