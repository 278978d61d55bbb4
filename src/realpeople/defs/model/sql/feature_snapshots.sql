-- One row per feature snapshot (run date) in account_features: what point-in-time
-- training can draw on.
select run_date, count(*) as accounts from account_features group by run_date order by run_date;
