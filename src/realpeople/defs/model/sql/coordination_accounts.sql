-- One row per account with features on $run_date: its steadiness (daily slots repeated),
-- whether the run's champion proposed to terminate it (or would have, but for the guard), and its first and last activity in
-- the feature window (int_events_windowed: the window of the latest feature build).
with span as (
    select account_id, min(event_ts) as first_activity, max(event_ts) as last_activity
    from int_events_windowed
    group by account_id
)
select
    features.account_id,
    coalesce(features.session_slot_repeat_share, 0) as steadiness,
    -- terminated by the model, or would be but for the terminate guard (held): evidence
    -- about the ring either way; a tie only ever sends a member to a moderator
    coalesce(scores.proposed_action = 'terminate'
             or scores.score_ai_managed >= status.terminate_held_from, false) as terminated,
    span.first_activity,
    span.last_activity
from account_features as features
left join account_scores as scores
    on features.account_id = scores.account_id and features.run_date = scores.run_date
left join span on features.account_id = span.account_id
left join model_status as status on features.run_date = status.run_date
where features.run_date = cast($run_date as date);
