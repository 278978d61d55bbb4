-- One row per scored account on run date $run_date: what the platform does and why.
--
-- Order of authority:
-- 1. A moderator's verdict from a recent review ($override_days) overrides the model:
--    ai_managed -> terminate, ai_assisted -> warn_and_limit, human -> nothing. Verdicts are
--    wrong a few percent of the time, so a terminate verdict the model flatly contradicts
--    (score_ai_managed below $second_review_below) goes to a second review instead: on the
--    demo world every person terminated came from such a verdict.
-- 2. An account cleared on appeal (outcome `overturned`) is not actioned again for the
--    same behaviour unless new evidence arrives: a later moderator verdict finding AI use.
--    If the model flags it again, a moderator looks (review queue) instead.
-- 3. Otherwise the champion model's proposed action (policy thresholds on the version);
--    its uncertain band (`review`) goes to the review queue.
create or replace temp table decisions as
with params as (
    select
        cast($run_date as date) as run_date,
        cast($run_date as date) + interval 1 day as run_end,
        cast($run_date as date) + interval 1 day - to_days(cast($override_days as integer)) as override_start
),
scores as (
    select * from account_scores where run_date = (select run_date from params)
),
latest_review as (
    select account_id, arg_max(verdict, reviewed_at) as verdict, max(reviewed_at) as reviewed_at
    from stg_activity__reviews
    where delivered_on <= (select run_date from params)
      and reviewed_at < (select run_end from params)
      and reviewed_at >= (select override_start from params)
    group by account_id
),
appeals_as_of as (
    select * from stg_activity__appeals
    where delivered_on <= (select run_date from params)
      and filed_at < (select run_end from params)
      and (superseded_on is null or superseded_on > (select run_date from params))
),
cleared as (
    select account_id, max(coalesce(decided_at, filed_at)) as cleared_at
    from appeals_as_of
    where outcome = 'overturned'
    group by account_id
),
new_evidence as (
    select distinct cleared.account_id
    from cleared
    inner join stg_activity__reviews as later
        on later.account_id = cleared.account_id
       and later.reviewed_at > cleared.cleared_at
       and later.verdict <> 'human'
       and later.delivered_on <= (select run_date from params)
),
joined as (
    select
        scores.*,
        latest_review.verdict as review_verdict,
        latest_review.reviewed_at,
        cleared.cleared_at,
        new_evidence.account_id is not null as has_new_evidence
    from scores
    left join latest_review using (account_id)
    left join cleared using (account_id)
    left join new_evidence using (account_id)
),
decided as (
    select
        *,
        case
            when review_verdict = 'ai_managed'
                 and score_ai_managed < cast($second_review_below as double) then null
            when review_verdict = 'ai_managed' then 'terminate'
            when review_verdict = 'ai_assisted' then 'warn_and_limit'
            when review_verdict = 'human' then null
            when cleared_at is not null and not has_new_evidence then null
            when proposed_action in ('terminate', 'warn_and_limit') then proposed_action
        end as action,
        case
            when review_verdict = 'ai_managed'
                 and score_ai_managed < cast($second_review_below as double)
                then 'moderator found automation, the model disagrees: second review'
            when review_verdict is not null then null
            when cleared_at is not null and not has_new_evidence
                 and proposed_action in ('terminate', 'warn_and_limit', 'review')
                then 'cleared on appeal, flagged again by the model'
            when proposed_action = 'review' then 'uncertain model score'
        end as queue_reason
    from joined
)
select
    account_id,
    action,
    queue_reason,
    case when review_verdict is not null then 'moderator' else 'model' end as decided_by,
    score_ai_managed,
    score_ai_assisted,
    case
        when review_verdict is not null then
            'moderator review on ' || strftime(reviewed_at, '%Y-%m-%d') || ' found: '
            || case review_verdict
                   when 'ai_managed' then 'account run by automation'
                   when 'ai_assisted' then 'AI writing help beyond assistance'
                   else 'a person in charge' end
            || coalesce('; ' || reasons, '')
        else coalesce(reasons, 'overall behaviour pattern')
    end as reasons,
    model_version,
    run_date
from decided
where action is not null or queue_reason is not null;
