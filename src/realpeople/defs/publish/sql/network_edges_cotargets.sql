-- Network edges, kind 'cotarget': members of a co-targeting ring of $run_date (issue 16's
-- coordination_clusters: accounts that engaged the same targets at the same time more
-- often than any two reviewed people, in a small cluster that keeps the same daily
-- slots), each tied to its cluster's smallest member. Only rings: a large co-targeting
-- component also holds people who like the same popular posts (power users).
select least(account_id, cluster_id) as account_a, greatest(account_id, cluster_id) as account_b,
    coalesce(strongest_tie, 1.0) as weight, first_activity as first_shared_at,
    last_activity as last_shared_at, 'cotarget' as kind
from coordination_clusters
where run_date = cast($run_date as date) and is_ring and account_id <> cluster_id;
