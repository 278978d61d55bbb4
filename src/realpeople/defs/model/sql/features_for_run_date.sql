-- One row per account: the features as of the run date, with the structural cluster
-- features of the same snapshot (account_cluster_features: NULL where a snapshot has none,
-- e.g. the co-activity graph was not built; the model reads them as missing).
select features.*, clustered.* exclude (run_date, account_id)
from account_features as features
left join account_cluster_features as clustered
    on features.run_date = clustered.run_date and features.account_id = clustered.account_id
where features.run_date = cast($run_date as date)
order by features.account_id;
