-- The published decisions of one run date: the enforcement list's accounts with who
-- decided, how (decision path), since when, and the statement of reasons in force.
select
    d.account_id, d.action, d.decided_by, d.decision_path, d.first_actioned_on,
    d.new_or_continuing, s.statement_id, d.model_version, d.run_date
from decisions_today as d
left join (
    select account_id, arg_max(statement_id, (run_date, issued_at)) as statement_id
    from statements_of_reasons
    where run_date <= cast($run_date as date) and kind = $kind_action
    group by account_id
) as s using (account_id)
order by d.action, d.account_id;
