select account_id, queue_reason, score_ai_managed, score_ai_assisted, reasons, model_version, run_date
from review_queue
where run_date = cast($run_date as date)
order by score_ai_managed desc, account_id asc;
