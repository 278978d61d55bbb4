-- Whether a model acted on run date $run_date and, if not, what training still needs
-- (model_status, written by account_scores). No row: the run date was not scored yet.
select model_acting, model_version, reviews_needed_human, reviews_needed_ai_assisted,
       reviews_needed_ai_managed, reviews_needed_any, note,
       -- the terminate guard (ml.policy.terminate_guard); NULL when no model acted
       terminate_guard_tripped, guard_people_reviewed, guard_people_flagged,
       guard_people_lower_per_10k, guard_people_upper_per_10k, guard_max_per_10k,
       terminations_held, terminate_held_from,
       -- the warn guard (ml.policy.warn_guard)
       warn_threshold_acting, warn_guard_people_flagged, warnings_withheld
from model_status
where run_date = cast($run_date as date);
