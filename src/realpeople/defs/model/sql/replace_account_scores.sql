-- Replace the run date's scores with the frame registered as `scored` (idempotent).
insert into account_scores by name
select *, current_timestamp at time zone 'UTC' as scored_at from scored;
