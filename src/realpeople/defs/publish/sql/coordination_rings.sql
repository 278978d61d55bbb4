-- One row per account of run date $run_date in a coordination cluster (written by the model
-- stage; ml.coordination.cluster_table): whether it is tied to actioned members of its
-- ring, whether it belongs to a ring of at least $min_ring_size accounts (ring evidence;
-- never when $min_ring_size is 0) with ties to at least $min_ring_ties of its members, and
-- the cluster's evidence in words, and its ring (ring_id: the cluster's id, so a ring a
-- reviewed person sits in can stand down alone). A temp table: rules.decide drops it
-- after deciding.
create or replace temp table coordination_rings as
select
    account_id,
    bool_or(tied_to_actioned) as tied_to_actioned,
    bool_or(
        cast($min_ring_size as integer) > 0
        and is_ring
        and cluster_size >= cast($min_ring_size as integer)
        and ties >= cast($min_ring_ties as integer)
    ) as in_ring,
    max(cluster_size) as cluster_size,
    arg_max(cluster_id, cluster_size) as ring_id,
    arg_max(evidence, cluster_size) as evidence
from coordination_clusters
where run_date = cast($run_date as date)
group by account_id;
