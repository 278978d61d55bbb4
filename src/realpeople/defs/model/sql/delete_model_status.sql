delete from model_status where run_date = cast($run_date as date);
