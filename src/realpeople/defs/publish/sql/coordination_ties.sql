-- One row per account of run date $run_date that coordination_clusters ties to actioned
-- members of its ring (written by the model stage; ml.coordination.cluster_table).
select distinct account_id
from coordination_clusters
where run_date = cast($run_date as date) and tied_to_actioned;
