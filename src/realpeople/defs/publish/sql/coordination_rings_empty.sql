-- coordination_rings (see coordination_rings.sql) when the model stage built no
-- coordination_clusters table: no account is in a cluster.
create or replace temp table coordination_rings (
    account_id varchar,
    tied_to_actioned boolean,
    in_ring boolean,
    cluster_size bigint,
    ring_id varchar,
    evidence varchar
);
