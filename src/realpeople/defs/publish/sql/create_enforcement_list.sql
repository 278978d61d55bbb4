-- One row per actioned account and run date (history of every list). `decided_by` says
-- whether a moderator's verdict or the model decided; it is not part of the published
-- contract file. Scores and model_version are NULL when no model acted on the run date
-- (too few reviews to train one): the rows are then moderators' decisions only.
create table if not exists enforcement_list (
    account_id varchar not null,
    action varchar not null,
    score_ai_managed double,
    score_ai_assisted double,
    reasons varchar not null,
    model_version varchar,
    run_date date not null,
    decided_by varchar not null
);
-- Warehouses created before scores could be NULL (no model yet): relax in place.
alter table enforcement_list alter column score_ai_managed drop not null;
alter table enforcement_list alter column score_ai_assisted drop not null;
alter table enforcement_list alter column model_version drop not null;

-- One row per account a moderator should look at on the run date, with why.
create table if not exists review_queue (
    account_id varchar not null,
    queue_reason varchar not null,
    score_ai_managed double,
    score_ai_assisted double,
    reasons varchar not null,
    model_version varchar,
    run_date date not null
);
alter table review_queue alter column score_ai_managed drop not null;
alter table review_queue alter column score_ai_assisted drop not null;
alter table review_queue alter column model_version drop not null;

-- One row per published run date: what went out, and whether a brake was released.
create table if not exists publications (
    run_date date not null,
    terminate bigint not null,
    warn_and_limit bigint not null,
    review_queue bigint not null,
    model_version varchar,
    published_at timestamp not null
);

-- Each time the safety brake held a run date: why, and the figures it judged.
create table if not exists brake_trips (
    run_date date not null,
    tripped_at timestamp not null,
    message varchar not null,
    terminate bigint not null,
    trailing_median double,
    score_psi double
);

-- An operator's explicit release of the safety brake for one run date, recorded against
-- the trip it releases (a release with no trip before it is refused: no pre-authorised
-- bypass).
create table if not exists brake_releases (
    run_date date not null,
    released_by varchar not null,
    reason varchar not null,
    released_at timestamp not null
);
-- Warehouses from before trips were recorded: the column is added, older rows keep NULL.
alter table brake_releases add column if not exists tripped_at timestamp;
