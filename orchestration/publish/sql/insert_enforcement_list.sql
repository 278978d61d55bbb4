-- The run date's actions: the champion's proposed actions, one row per account, in the
-- contract's column order, strongest evidence first. Only the contract's actions:
-- `review` (the uncertain band, for moderators' review queue) is not an enforcement action.
insert into enforcement_list
select
    account_id,
    proposed_action as action,
    score_ai_managed,
    score_ai_assisted,
    coalesce(reasons, 'overall behaviour pattern') as reasons,
    model_version,
    run_date
from account_scores
where run_date = cast($run_date as date)
  and proposed_action in ('terminate', 'warn_and_limit')
order by score_ai_managed desc, account_id;
