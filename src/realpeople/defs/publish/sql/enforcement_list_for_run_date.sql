-- The published list of one run date, in the contract's column order.
select account_id, action, score_ai_managed, score_ai_assisted, reasons, model_version, run_date
from enforcement_list
where run_date = cast($run_date as date)
order by action asc, score_ai_managed desc, account_id asc;
