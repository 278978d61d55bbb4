-- One row per run date whose features were built: the fingerprint of what the build read
-- (raw layer, dbt project, vars, engine). `make run` skips a date whose fingerprint is
-- unchanged: nothing the features depend on moved since.
create table if not exists main.features_builds (
    run_date date not null,
    inputs varchar not null,
    built_at timestamp not null
);
