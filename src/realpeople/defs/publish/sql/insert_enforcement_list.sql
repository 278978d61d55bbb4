-- The run date's actions from `decisions` (decide_enforcement.sql), one row per
-- account, in the contract's column order, strongest evidence first.
insert into enforcement_list
select account_id, action, score_ai_managed, score_ai_assisted, reasons, model_version, run_date,
       decided_by
from decisions
where action is not null
order by score_ai_managed desc, account_id asc;
