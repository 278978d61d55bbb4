-- One row per pair of accounts (account_a < account_b) that engaged the same targets at
-- nearly the same time in the feature window: the co-activity graph's "same targets in
-- the same order" edges (CopyCatch in miniature; issue 16).
--   weight     distinct targets (a post for comments, an account for likes and follows)
--              both engaged within cotarget_minutes of each other
--   targets_a  distinct targets account_a engaged in the window (of those kept below),
--   targets_b  and account_b: weight / the larger of the two is how much of their
--              activity the pair shares. A power user coincides with many accounts on a
--              few targets each, out of hundreds; a farm's ring shares most of what it
--              engages (ml.coordination.structural_features reads the share, label-free).
-- A table on DuckDB (var coordination_graph, default true; false leaves it out), built
-- once per feature build: its two readers, the structural cluster features written right
-- after the build (account_cluster_features) and the model stage's coordination_clusters
-- asset (ml.coordination.cluster_table), each ran the self-join again while it was a view
-- (issue 15: the publish stage grew ~0.7 s per window day from it). A view elsewhere
-- (Spark): nothing reads it there. account_features does not read it.
-- Targets engaged by more than max_cotarget_accounts accounts in the window are left
-- out: a viral post would join everyone, quadratically.
-- A fold (issue 15): the settled event days' coincidences, engagements and crowded
-- targets come from the per-day partial int_account_days_cotargeted, the newest days
-- from the window's events (partial_window(1): one day more than the devices fold, since
-- a day's coincidences reach into the next day). Exact: the partial's header says why;
-- the analysis cotargeted_exact (this model computed from the window's events in one
-- pass) is its reference in tests/integration/test_incremental_features.py. A daily
-- build self-joins the newest days' engagements here and the rebuilt days' in the
-- partial, not the whole window's.
{{ config(
    enabled=var('coordination_graph'),
    materialized=('table' if target.type == 'duckdb' else 'view'),
) }}
{%- set days = partial_window(1) %}

-- The newest days' engagements, from the window's events.
with tail as (

    {{ cotarget_engagements(
        "(select * from " ~ ref('int_events_windowed') ~ " where event_ts >= cast(" ~ days.tail_day ~ " as timestamp))"
    ) }}

),

-- The settled days' facts (int_account_days_cotargeted), read once per kind: a CTE read
-- three times would be materialised.
settled_engaged as (

    select account_a as account_id, target
    from {{ ref('int_account_days_cotargeted') }}
    where account_a is not null
      and account_b is null
      and {{ settled_in_window(neighbour_days=1) }}

),

crowded as (

    select distinct target
    from {{ ref('int_account_days_cotargeted') }}
    where account_a is null
      and target is not null
      and {{ settled_in_window(neighbour_days=1) }}

),

settled_coincided as (

    select account_a, account_b, target
    from {{ ref('int_account_days_cotargeted') }}
    where account_b is not null
      and {{ settled_in_window(neighbour_days=1) }}

),

-- (account, target): the account engaged the target somewhere in the window.
engaged as (

    select account_id, target
    from settled_engaged

    union

    select account_id, target
    from tail

),

modest_targets as (

    select e.target
    from engaged as e
    left join crowded as c
        on e.target = c.target
    where c.target is null
    group by e.target
    having count(*) between 2 and {{ var('max_cotarget_accounts') }}

),

kept as (

    select e.account_id, e.target
    from engaged as e
    inner join modest_targets as t
        on e.target = t.target

),

breadth as (

    select account_id, count(*) as targets
    from kept
    group by account_id

),

tail_kept as (

    select e.account_id, e.event_ts, e.target
    from tail as e
    inner join modest_targets as t
        on e.target = t.target

),

coincided as (

    select s.account_a, s.account_b, s.target
    from settled_coincided as s
    inner join modest_targets as t
        on s.target = t.target

    union

    select account_a, account_b, target
    from ({{ cotarget_coincidences('tail_kept') }}) as c

),

pairs as (

    select account_a, account_b, count(*) as weight
    from coincided
    group by account_a, account_b
    having count(*) >= 2

)

select
    pairs.account_a,
    pairs.account_b,
    pairs.weight,
    breadth_a.targets as targets_a,
    breadth_b.targets as targets_b
from pairs
inner join breadth as breadth_a on pairs.account_a = breadth_a.account_id
inner join breadth as breadth_b on pairs.account_b = breadth_b.account_id
