-- One row per run date and account moderators are asked to review (ml.active.review_requests):
-- why (request_reason: ring_not_yet_reviewed, uncertain, random_audit) and its rank within
-- that reason. Model requests teach the model; the random audit keeps prevalence and
-- precision estimates unbiased and must be recorded as source random_sample, the others never.
create table if not exists review_requests (
    run_date date not null,
    account_id varchar not null,
    request_reason varchar not null,
    rank bigint not null
);
