-- One row per actioned account and run date (history of every published list).
create table if not exists enforcement_list (
    account_id varchar not null,
    action varchar not null,
    score_ai_managed double not null,
    score_ai_assisted double not null,
    reasons varchar not null,
    model_version varchar not null,
    run_date date not null
);
