-- The run date's requests (registered frame `requested`).
insert into review_requests
select cast($run_date as date), account_id, request_reason, rank from requested;
