-- One row per run date, account and coordination cluster (ml.coordination.cluster_table):
-- accounts tied by engaging the same targets at the same time more often than any two
-- reviewed people, the evidence that ties them, and evidence propagated from members
-- already actioned. Written by the coordination_clusters asset; issue 18 publishes
-- networks from it.
create table if not exists coordination_clusters (
    run_date date not null,
    cluster_id varchar not null,        -- the cluster's smallest member account id
    account_id varchar not null,
    cluster_size bigint not null,
    ties bigint not null,               -- this account's edges above the bar
    strongest_tie double,               -- its heaviest edge: shared targets
    edge_bar double not null,           -- heaviest coincidence between two reviewed people
    cluster_steadiness double not null, -- mean session_slot_repeat_share of the members
    confirmed_share double not null,    -- other members with an ai_managed verdict
    actioned_share double not null,     -- other members confirmed or proposed terminate
    is_ring boolean not null,           -- small and steady: looks like a farm's ring
    tied_to_actioned boolean not null,  -- a ring member not actioned, most others actioned
    evidence varchar not null,          -- in words
    first_activity timestamp,           -- the account's first event in the window
    last_activity timestamp             -- and its last
);
