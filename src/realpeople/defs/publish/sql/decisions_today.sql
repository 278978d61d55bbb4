-- One row per account on the run date's enforcement list: how the decision came about
-- (decision path, vocabulary.DECISION_PATHS), when the account was first actioned and
-- whether it is new or continuing (against the published lists before the run date).
-- The values written are passed in from src/realpeople/vocabulary.py.
create or replace temp table decisions_today as
with params as (select cast($run_date as date) as run_date),
listed as (
    select * from enforcement_list where run_date = (select run_date from params)
),
scored as (
    select account_id, proposed_action from account_scores where run_date = (select run_date from params)
),
earlier as (
    select account_id, min(run_date) as first_actioned_on
    from enforcement_list
    where run_date in (select run_date from publications where run_date < (select run_date from params))
    group by account_id
)
select
    listed.account_id,
    listed.action,
    listed.decided_by,
    case
        when listed.decided_by = $by_model then $model_alone
        when listed.score_ai_managed is null then $moderator_without_model
        when scored.proposed_action = listed.action then $moderator_with_model
        else $moderator_against_model
    end as decision_path,
    coalesce(earlier.first_actioned_on, listed.run_date) as first_actioned_on,
    case when earlier.account_id is null then $new else $continuing end as new_or_continuing,
    listed.reasons,
    listed.score_ai_managed,
    listed.score_ai_assisted,
    listed.model_version,
    listed.run_date
from listed
left join scored using (account_id)
left join earlier using (account_id);
