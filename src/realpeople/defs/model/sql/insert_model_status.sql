-- The run date's row of model_status (see create_account_scores.sql).
insert into model_status
values (cast($run_date as date), $model_name, $model_version, $model_acting, $needed_human,
        $needed_ai_assisted, $needed_ai_managed, $needed_any, $note);
