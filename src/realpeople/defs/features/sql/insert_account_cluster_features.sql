-- The run date's cluster features (registered frame `structural`, one row per account).
insert into account_cluster_features
select cast($run_date as date), account_id, cotarget_strongest_share, cotarget_strongest_tie_per_week,
       cluster_size, cluster_ties, cluster_steadiness, cluster_is_ring,
       text_company_shared_share
from structural;
