delete from review_requests where run_date = cast($run_date as date);
