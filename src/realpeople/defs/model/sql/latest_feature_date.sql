-- The newest run date with features: training uses the freshest point in time.
select max(run_date) from account_features;
