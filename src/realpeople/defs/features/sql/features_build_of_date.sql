-- The fingerprint of a run date's last build, if any, and how many rows it left in
-- account_features.
select
    b.inputs,
    (select count(*) from main.account_features as f where f.run_date = b.run_date) as rows
from main.features_builds as b
where b.run_date = cast($run_date as date);
