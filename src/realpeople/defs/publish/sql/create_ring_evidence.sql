-- One row per run date: whether ring evidence acted (rules.decide), how many accounts of
-- the model's uncertain band it terminated, and how many reviewed people sat in the rings
-- it would have acted on (their rings stand down; in two rings or more, ring evidence
-- does not act that day).
create table if not exists ring_evidence (
    run_date date not null,
    acted boolean not null,
    terminated bigint not null,
    ring_people bigint not null
);
