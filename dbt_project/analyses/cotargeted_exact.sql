-- The co-targeting pairs computed directly from the run date's window of events in one
-- pass: what int_account_pairs_cotargeted computed before it became a fold of per-day
-- facts (int_account_days_cotargeted). Not built by `dbt run` (an analysis): the equality
-- test (tests/integration/test_incremental_features.py) holds the fold to it, pair by
-- pair (weight, targets_a, targets_b).
--
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
-- Targets engaged by more than max_cotarget_accounts accounts in the window are left
-- out: a viral post would join everyone, quadratically.
{%- set window_seconds = var('cotarget_minutes') | int * 60 %}

with engagements as (

    select
        account_id,
        event_ts,
        case when event_type = 'comment' then target_event_id else target_account_id end as target
    from {{ ref('int_events_windowed') }}
    where event_type in ('comment', 'like', 'follow')

),

modest_targets as (

    select target
    from engagements
    where target is not null
    group by target
    having count(distinct account_id) between 2 and {{ var('max_cotarget_accounts') }}

),

kept as (

    select e.account_id, e.event_ts, e.target
    from engagements as e
    inner join modest_targets as t
        on e.target = t.target

),

breadth as (

    select account_id, count(distinct target) as targets
    from kept
    group by account_id

),

pairs as (

    select
        a.account_id as account_a,
        b.account_id as account_b,
        count(distinct a.target) as weight
    from kept as a
    inner join kept as b
        on a.target = b.target
        and a.account_id < b.account_id
        and abs({{ seconds_between('a.event_ts', 'b.event_ts') }}) <= {{ window_seconds }}
    group by a.account_id, b.account_id
    having count(distinct a.target) >= 2

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
