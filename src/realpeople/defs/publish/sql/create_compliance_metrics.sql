-- One row per run date and metric.
create table if not exists compliance_metrics (
    run_date date not null,
    metric varchar not null,
    value double,
    description varchar not null
);
-- How the value reads (vocabulary.METRIC_UNITS): count, fraction, hours, score, version, flag.
alter table compliance_metrics add column if not exists unit varchar;
