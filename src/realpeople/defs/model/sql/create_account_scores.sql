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

-- One row per run date scored (or not): whether a model acted, and if not, why and how
-- many more reviewed accounts of each class training needs. Written by account_scores;
-- read by the checks, the compliance metrics, the report and `make run`'s summary.
create table if not exists model_status (
    run_date date not null,
    model_name varchar not null,
    model_version varchar,
    model_acting boolean not null,
    reviews_needed_human bigint not null,
    reviews_needed_ai_assisted bigint not null,
    reviews_needed_ai_managed bigint not null,
    reviews_needed_any bigint not null,
    note varchar not null
);

-- The terminate guard of each run date scored (ml.policy.terminate_guard), on the same row
-- of model_status; added to warehouses made before it existed. NULL: no model acted.
alter table model_status add column if not exists terminate_guard_tripped boolean;
alter table model_status add column if not exists guard_people_reviewed bigint;
alter table model_status add column if not exists guard_people_flagged bigint;
alter table model_status add column if not exists guard_people_lower_per_10k double;
alter table model_status add column if not exists guard_people_upper_per_10k double;
alter table model_status add column if not exists guard_max_per_10k double;
alter table model_status add column if not exists terminations_held bigint;
-- the terminate bar from which proposed terminations went to the review queue (tripped only)
alter table model_status add column if not exists terminate_held_from double;
-- The warn guard (ml.policy.warn_guard): the warn bar the run date acted with (the policy's,
-- or higher when the guard raised it), the audited people the policy's bar would have
-- warned, and the warnings below the acting bar that were withheld. NULL: no model acted.
alter table model_status add column if not exists warn_threshold_acting double;
alter table model_status add column if not exists warn_guard_people_flagged bigint;
alter table model_status add column if not exists warnings_withheld bigint;
