-- One row per network (cluster of accounts tied by the registered `network_edges`,
-- membership in `cluster_members`) with at least one member actioned on $run_date: its
-- size, members actioned per action, the evidence that ties them and when it was active.
create or replace temp table network_rows as
with params as (select cast($run_date as date) as run_date),
members as (
    select m.cluster_id, m.account_id, l.action,
        f.device_lockstep_share, f.text_lockstep_share
    from cluster_members as m
    left join (select account_id, action from enforcement_list
               where run_date = (select run_date from params)) as l using (account_id)
    left join (select account_id, device_lockstep_share, text_lockstep_share from account_features
               where run_date = (select run_date from params)) as f using (account_id)
),
edges as (
    select m.cluster_id, e.*
    from network_edges as e
    inner join cluster_members as m on e.account_a = m.account_id
),
per_cluster as (
    select
        cluster_id,
        count(*) as size,
        count(action) as members_actioned,
        count(*) filter (where action = $terminate) as members_terminated,
        count(*) filter (where action = $warn_and_limit) as members_warned,
        avg(device_lockstep_share) as device_lockstep,
        avg(text_lockstep_share) as text_lockstep
    from members
    group by cluster_id
),
per_cluster_edges as (
    select cluster_id, count(*) as pairs,
        count(*) filter (where kind = 'device') as device_pairs,
        count(*) filter (where kind = 'cotarget') as cotarget_ties,
        min(first_shared_at) as first_activity, max(last_shared_at) as last_activity
    from edges
    group by cluster_id
)
select
    c.cluster_id,
    (select run_date from params) as run_date,
    'net-' || strftime((select run_date from params), '%Y%m%d') || '-'
        || lpad(cast(row_number() over (order by c.size desc, c.cluster_id asc) as varchar), 4, '0') as network_id,
    c.size,
    c.members_actioned,
    c.members_terminated,
    c.members_warned,
    e.pairs as linked_pairs,
    c.size || ' accounts tied by '
        || concat_ws(' and ',
            case when e.device_pairs > 0 then e.device_pairs || ' pairs that used the same device' end,
            case when e.cotarget_ties > 0 then e.cotarget_ties
                || ' ties of engaging the same posts and accounts at the same time (co-targeting)' end)
        || '; on a shared device, active in the same minute as another member in '
        || cast(round(100 * coalesce(c.device_lockstep, 0)) as integer) || '% of their active minutes (mean); '
        || cast(round(100 * coalesce(c.text_lockstep, 0)) as integer)
        || '% of their texts posted in lockstep with another account' as evidence,
    e.first_activity,
    e.last_activity
from per_cluster as c
inner join per_cluster_edges as e using (cluster_id)
where c.members_actioned > 0;
