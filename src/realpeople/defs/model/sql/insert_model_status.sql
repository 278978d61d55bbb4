-- The run date's row of model_status (see create_account_scores.sql); the guard's columns
-- and the warn guard's are NULL when no model acted.
insert into model_status (run_date, model_name, model_version, model_acting, reviews_needed_human,
                          reviews_needed_ai_assisted, reviews_needed_ai_managed, reviews_needed_any,
                          note, terminate_guard_tripped, guard_people_reviewed, guard_people_flagged,
                          guard_people_lower_per_10k, guard_people_upper_per_10k, guard_max_per_10k,
                          terminations_held, terminate_held_from, warn_threshold_acting,
                          warn_guard_people_flagged, warnings_withheld)
values (cast($run_date as date), $model_name, $model_version, $model_acting, $needed_human,
        $needed_ai_assisted, $needed_ai_managed, $needed_any, $note, $guard_tripped,
        $guard_people_reviewed, $guard_people_flagged, $guard_lower, $guard_upper, $guard_max,
        $terminations_held, $terminate_held_from, $warn_threshold_acting,
        $warn_guard_people_flagged, $warnings_withheld);
