-- The run date's review queue from `decisions`.
insert into review_queue
select account_id, queue_reason, score_ai_managed, score_ai_assisted, reasons, model_version, run_date
from decisions
where action is null and queue_reason is not null
order by score_ai_managed desc, account_id asc;
