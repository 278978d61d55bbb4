-- One row per account with features on $run_date: its steadiness (daily slots repeated),
-- whether the run's champion proposed to terminate it, and its first and last activity in
-- the feature window (int_events_windowed: the window of the latest feature build).
with span as (
    select account_id, min(event_ts) as first_activity, max(event_ts) as last_activity
    from int_events_windowed
    group by account_id
)
select
    features.account_id,
    coalesce(features.session_slot_repeat_share, 0) as steadiness,
    coalesce(scores.proposed_action = 'terminate', false) as terminated,
    span.first_activity,
    span.last_activity
from account_features as features
left join account_scores as scores
    on scores.account_id = features.account_id and scores.run_date = features.run_date
left join span on span.account_id = features.account_id
where features.run_date = cast($run_date as date);
