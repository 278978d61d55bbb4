-- Suite parameters of account_scores for run date $run_date: every account with features
-- is scored when a model acts (model_status, written by account_scores), none otherwise.
select
    case when coalesce((select any_value(model_acting) from model_status
                        where run_date = cast($run_date as date)), true)
         then (select count(*) from account_features where run_date = cast($run_date as date))
         else 0 end as min_rows,
    case when coalesce((select any_value(model_acting) from model_status
                        where run_date = cast($run_date as date)), true)
         then (select count(*) from account_features where run_date = cast($run_date as date))
         else 0 end as max_rows;
