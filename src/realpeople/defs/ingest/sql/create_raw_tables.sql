-- The raw layer: every row that passed the contract's row checks, as delivered.
-- Re-sent ids are kept here (deduplication is staging's job), so a delivery can be
-- reloaded on its own without looking at any other delivery.
create schema if not exists raw;

create table if not exists raw.accounts (
    account_id varchar not null,
    created_at timestamp not null,
    declared_country varchar,
    bio varchar,
    avatar_hash varchar,
    signup_client varchar not null,
    signup_ip_country varchar,
    follower_count bigint not null,
    following_count bigint not null,
    _delivery_date date not null,
    _source_file varchar not null,
    _file_row bigint not null,
    _loaded_at timestamp not null
);

create table if not exists raw.events (
    event_id varchar not null,
    account_id varchar not null,
    event_ts timestamp not null,
    event_type varchar not null,
    client varchar not null,
    device_id varchar,
    ip_country varchar,
    target_account_id varchar,
    target_event_id varchar,
    text varchar,
    image_hash varchar,
    location_tag varchar,
    ai_label boolean,
    ai_metadata boolean,
    commercial boolean,
    _delivery_date date not null,
    _source_file varchar not null,
    _file_row bigint not null,
    _loaded_at timestamp not null
);

create table if not exists raw.reviews (
    review_id varchar not null,
    account_id varchar not null,
    reviewed_at timestamp not null,
    verdict varchar not null,
    source varchar not null,
    _delivery_date date not null,
    _source_file varchar not null,
    _file_row bigint not null,
    _loaded_at timestamp not null
);

create table if not exists raw.appeals (
    appeal_id varchar not null,
    account_id varchar not null,
    action varchar not null,
    filed_at timestamp not null,
    outcome varchar not null,
    decided_at timestamp,
    _delivery_date date not null,
    _source_file varchar not null,
    _file_row bigint not null,
    _loaded_at timestamp not null
);

-- One row per landed row that could not be loaded, with the first reason found and
-- the row as it arrived (JSON), so nothing is lost and an operator can replay it.
create table if not exists raw.quarantine (
    table_name varchar not null,
    _delivery_date date not null,
    _source_file varchar not null,
    _file_row bigint,
    reason varchar not null,
    record varchar,
    _loaded_at timestamp not null
);

-- One row per landed file and load: what arrived, what was loaded, what was
-- quarantined, and why a file was rejected. landed = loaded + quarantined per row.
create table if not exists raw.deliveries (
    table_name varchar not null,
    _delivery_date date not null,
    _source_file varchar not null,
    file_format varchar not null,
    file_bytes bigint not null,
    file_sha256 varchar not null,
    rows_landed bigint,
    rows_loaded bigint not null,
    rows_quarantined bigint not null,
    rejected_reason varchar,
    ignored_columns varchar,
    _loaded_at timestamp not null,
    -- With path and size, what "already loaded" compares (realpeople.defs.ingest.landing).
    file_mtime_ns bigint
);
-- Warehouses created before file_mtime_ns: the column is added (null: such a file
-- counts as changed once, and is reloaded, which is safe).
alter table raw.deliveries add column if not exists file_mtime_ns bigint;

-- One row per entry of the landing zone that is not loaded, and why: a folder under a
-- table that is not a delivery (not dt=<date>, or outside the partition range), a file
-- outside any delivery, and inside a delivery folder anything but its readable files
-- (nested folders, hidden or temporary files, unreadable formats, links leaving the
-- zone, sockets). scope 'landing' rows are replaced by each survey of the zone, scope
-- 'delivery' rows with their delivery's load.
create table if not exists raw.landing_entries (
    path varchar not null,
    table_name varchar,
    _delivery_date date,
    entry_kind varchar not null,
    reason varchar not null,
    scope varchar not null,
    _loaded_at timestamp not null
);
