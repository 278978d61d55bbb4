delete from review_queue where run_date = cast($run_date as date);
