insert into statements_of_reasons
select statement_id, account_id, cast(run_date as date), kind, action, decision_path, record, now()
from new_statements;
