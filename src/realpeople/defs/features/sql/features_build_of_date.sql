-- The fingerprint of a run date's last build, if any (and if its rows are still there).
select b.inputs
from main.features_builds as b
where b.run_date = cast($run_date as date)
  and exists (select 1 from main.account_features as f where f.run_date = b.run_date);
