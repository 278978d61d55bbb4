-- The statements of reasons run date $run_date issues: a restriction that starts or
-- changes (an account on today's list whose statement in force, if any, is for another
-- action) and a restriction lifted (a statement in force for an account no longer on
-- the list). A decision that continues issues nothing. Reads decisions_today
-- (decisions_today.sql) and the statements issued before the run date.
with params as (
    select cast($run_date as date) as run_date, cast($run_date as date) + interval 1 day as run_end
),
latest_before as (
    select account_id, arg_max(kind, issued_order) as kind, arg_max(action, issued_order) as action
    from (
        select *, (run_date, issued_at) as issued_order from statements_of_reasons
        where run_date < (select run_date from params)
    ) as issued_before
    group by account_id
),
in_force as (
    select account_id, action from latest_before where kind = $kind_action
),
scored as (
    select account_id, proposed_action from account_scores where run_date = (select run_date from params)
),
queued as (
    select account_id, queue_reason from review_queue where run_date = (select run_date from params)
),
overturned as (
    select distinct account_id from stg_activity__appeals
    where outcome = 'overturned'
      and delivered_on <= (select run_date from params)
      and filed_at < (select run_end from params)
      and (superseded_on is null or superseded_on > (select run_date from params))
),
created as (
    -- the content a statement is about is the account: its registration date
    select account_id, cast(min(created_at) as date) as created_on from stg_activity__accounts
    where delivered_on <= (select run_date from params)
    group by account_id
),
cleared_by_review as (
    select account_id from stg_activity__reviews
    where delivered_on <= (select run_date from params) and reviewed_at < (select run_end from params)
    group by account_id
    having arg_max(verdict, reviewed_at) = 'human'
)
select
    $kind_action as kind,
    d.account_id,
    d.action,
    d.decision_path,
    f.action as previous_action,
    d.reasons as facts,
    d.first_actioned_on,
    c.created_on
from decisions_today as d
left join in_force as f using (account_id)
left join created as c using (account_id)
where f.account_id is null or f.action <> d.action
union all
select
    $kind_lift as kind,
    f.account_id,
    f.action,
    case
        when o.account_id is not null or h.account_id is not null then
            case
                when s.account_id is null then $moderator_without_model
                when s.proposed_action in ($terminate, $warn_and_limit) then $moderator_against_model
                else $moderator_with_model
            end
        else $model_alone
    end as decision_path,
    null as previous_action,
    case
        when o.account_id is not null then 'restriction lifted: the account holder''s appeal succeeded (action overturned by a moderator)'
        when h.account_id is not null then 'restriction lifted: a moderator''s review found a person in charge of the account'
        when q.account_id is not null then 'restriction lifted pending a moderator''s second review: ' || q.queue_reason
        else 'restriction lifted: the model no longer finds the evidence that supported it'
    end as facts,
    null as first_actioned_on,
    c.created_on
from in_force as f
left join created as c using (account_id)
left join overturned as o using (account_id)
left join cleared_by_review as h using (account_id)
left join queued as q using (account_id)
left join scored as s using (account_id)
where f.account_id not in (select account_id from decisions_today)
order by kind, account_id;
