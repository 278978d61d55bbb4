-- One row per run date and account of that date's account_features snapshot: structural
-- coordination features for the model (ml.coordination.structural_features).
-- Written by the features step right after each date's dbt build, because dbt's
-- int_account_pairs_cotargeted view is as of the latest build: every snapshot, training
-- snapshots of a catch-up included, gets them as of its own date. Nothing here reads a
-- verdict, a score or an action: no label can leak into them. A snapshot with no rows
-- (built before them, or without the co-activity graph) leaves them NULL for the model.
create table if not exists account_cluster_features (
    run_date date not null,
    account_id varchar not null,
    cotarget_strongest_share double not null,        -- most of its targets one partner shares
    cotarget_strongest_tie_per_week double not null, -- shared targets, heaviest edge, per week
    cluster_size double not null,                    -- members of its component (strong edges)
    cluster_ties double not null,                    -- its strong edges
    cluster_steadiness double,                       -- other members' mean slot repeat share
    cluster_is_ring double not null,                 -- 3-50 members, mean steadiness >= 0.7
    text_company_shared_share double                 -- other writers' shared share, own texts
);
