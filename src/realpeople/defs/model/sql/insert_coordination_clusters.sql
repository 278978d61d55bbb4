-- The run date's clusters (registered frame `clustered`, in create_coordination_clusters.sql's order).
insert into coordination_clusters
select cast($run_date as date), cluster_id, account_id, cluster_size, ties, strongest_tie, edge_bar,
       cluster_steadiness, confirmed_share, actioned_share, is_ring, tied_to_actioned, evidence,
       first_activity, last_activity
from clustered;
