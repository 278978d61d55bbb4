-- Statements of reasons (issue 18): one row per statement issued, append-only across run
-- dates (a re-run of a date replaces that date's statements, never an earlier date's).
-- `record` is the statement as published (DSA Transparency Database fields, JSON).
create table if not exists statements_of_reasons (
    statement_id varchar not null,
    account_id varchar not null,
    run_date date not null,
    kind varchar not null,
    action varchar not null,
    decision_path varchar not null,
    record varchar not null,
    issued_at timestamp not null
);

-- One row per coordinated network (connected component of shared-device edges) with at
-- least one member actioned on the run date.
create table if not exists networks (
    run_date date not null,
    network_id varchar not null,
    size bigint not null,
    members_actioned bigint not null,
    members_terminated bigint not null,
    members_warned bigint not null,
    linked_pairs bigint not null,
    evidence varchar not null,
    first_activity timestamp,
    last_activity timestamp
);

-- Who is in each network (account ids: stays in the warehouse; published as pseudonyms).
create table if not exists network_members (
    run_date date not null,
    network_id varchar not null,
    account_id varchar not null,
    action varchar
);
