-- A run date's build record, before it is replaced.
delete from main.features_builds where run_date = cast($run_date as date);
