-- One row per account scored on $run_date: the champion's probabilities.
select account_id, score_human, score_ai_assisted, score_ai_managed
from account_scores
where run_date = cast($run_date as date)
order by account_id;
