-- One row per account with features on $run_date: its steadiness (daily slots repeated),
-- the only per-account input of the structural cluster features.
select account_id, coalesce(session_slot_repeat_share, 0) as steadiness
from account_features
where run_date = cast($run_date as date);
