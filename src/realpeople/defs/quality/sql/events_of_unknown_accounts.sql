-- Events of the run date's feature window (event_ts in [run date + 1 day - $window_days,
-- run date + 1 day), delivered on or before the run date: what account_features reads)
-- whose account_id no accounts delivery on or before the run date has ever mentioned:
-- they cannot reach account_features (one row per known account), so they are counted
-- here instead of vanishing silently. Accounts may arrive a day or two after their first
-- events; a later run date sees them.
-- The window, not the whole history: an older event cannot reach today's features
-- whatever its account, was counted by the run dates whose window held it, and reading
-- every event ever delivered made this check grow with the warehouse (4.1 s at 100k
-- accounts x 30 days, issue 15), not with the window like the features it guards.
-- The bounds are written out in each predicate, not read from a CTE: DuckDB prunes the scan
-- of raw.events on constants only (with scalar subqueries this query took 13-15 s instead
-- of 3 s at 100k accounts).
with orphans as (
    select e.account_id, e.event_id, e._source_file, e._file_row
    from raw.events as e
    where e._delivery_date <= cast($run_date as date)
      and e.event_ts >= cast($run_date as date) + interval 1 day - to_days(cast($window_days as integer))
      and e.event_ts < cast($run_date as date) + interval 1 day
      -- NOT IN over the known ids, not a correlated NOT EXISTS: DuckDB planned that as a
      -- delim join that first grouped the window's 22M event account ids (5.9-7.7 s
      -- against 2.8-3.1 s at 100k accounts x 28 days, issue 15, stop 36). Exact: account_id
      -- is never NULL in raw.events or raw.accounts (the load quarantines such rows).
      and e.account_id not in (
          select a.account_id from raw.accounts as a
          where a._delivery_date <= cast($run_date as date) and a.account_id is not null
      )
)

select
    count(*) as events,
    count(distinct account_id) as accounts,
    min(account_id) as example_account_id,
    arg_min(_source_file || ' row ' || cast(_file_row as varchar), account_id) as example_location
from orphans;
