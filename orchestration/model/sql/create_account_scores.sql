-- One row per account and run date: the champion's probabilities, the action its policy
-- proposes, and the reasons behind it (for proposed actions only).
create table if not exists account_scores (
    run_date date not null,
    account_id varchar not null,
    score_human double not null,
    score_ai_assisted double not null,
    score_ai_managed double not null,
    proposed_action varchar,
    reasons varchar,
    model_name varchar not null,
    model_version varchar not null,
    scored_at timestamp not null
);
