-- One row per account in a coordination cluster on $run_date (coordination_clusters).
select account_id, cluster_id, is_ring
from coordination_clusters
where run_date = cast($run_date as date);
