-- Whether a model acted on run date $run_date and, if not, what training still needs
-- (model_status, written by account_scores). No row: the run date was not scored yet.
select model_acting, model_version, reviews_needed_human, reviews_needed_ai_assisted,
       reviews_needed_ai_managed, reviews_needed_any, note
from model_status
where run_date = cast($run_date as date);
