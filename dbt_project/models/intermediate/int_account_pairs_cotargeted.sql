-- One row per pair of accounts (account_a < account_b) that engaged the same targets at
-- nearly the same time in the feature window: the co-activity graph's "same targets in
-- the same order" edges (CopyCatch in miniature; issue 16).
--   weight   distinct targets (a post for comments, an account for likes and follows)
--            both engaged within cotarget_minutes of each other
-- A view (var coordination_graph, default true; false leaves it out): the model stage's
-- coordination_clusters asset reads it once per run date (ml.coordination.cluster_table),
-- so the self-join (~40 s on 20,000 accounts x 14 days) is paid there, not in every
-- feature build; account_features does not read it.
-- Targets engaged by more than max_cotarget_accounts accounts in the window are left
-- out: a viral post would join everyone, quadratically.
{{ config(enabled=var('coordination_graph', true), materialized='view') }}
{%- set window_seconds = var('cotarget_minutes', 60) | int * 60 %}

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
    having count(distinct account_id) between 2 and {{ var('max_cotarget_accounts', 200) }}

),

kept as (

    select e.account_id, e.event_ts, e.target
    from engagements as e
    inner join modest_targets as t
        on e.target = t.target

)

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
