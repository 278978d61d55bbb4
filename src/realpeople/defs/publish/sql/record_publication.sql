-- Replace the ledger row of a (re-)published run date.
insert into publications
select cast($run_date as date), $terminate, $warn_and_limit, $review_queue, $model_version,
       current_timestamp at time zone 'UTC';
