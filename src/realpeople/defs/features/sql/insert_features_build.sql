-- A run date's build record: the fingerprint of what the build read.
insert into main.features_builds
values (cast($run_date as date), $inputs, current_timestamp at time zone 'UTC');
