delete from coordination_clusters where run_date = cast($run_date as date);
