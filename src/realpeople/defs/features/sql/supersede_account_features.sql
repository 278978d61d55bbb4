-- The feature mart built by another version (other columns) is set aside whole, under
-- one name: the previous generation is kept for audit until the next change of columns.
-- The builds recorded for its dates describe those superseded snapshots: forgotten, so
-- that every date is built again with this version's columns.
drop table if exists main.account_features_superseded;
alter table main.account_features rename to account_features_superseded;
delete from main.features_builds;
