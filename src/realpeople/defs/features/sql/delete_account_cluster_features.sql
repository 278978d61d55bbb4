-- A re-build of a date replaces its cluster features whole.
delete from account_cluster_features where run_date = cast($run_date as date);
