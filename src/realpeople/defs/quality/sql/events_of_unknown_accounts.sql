-- Events delivered on or before the run date whose account_id no accounts delivery on or
-- before the run date has ever mentioned: they cannot reach account_features (which is
-- one row per known account), so they are counted here instead of vanishing silently.
-- Accounts may arrive a day or two after their first events; a later run date sees them.
with orphans as (
    select e.account_id, e.event_id, e._source_file, e._file_row
    from raw.events as e
    where e._delivery_date <= cast($run_date as date)
      and not exists (
          select 1 from raw.accounts as a
          where a.account_id = e.account_id and a._delivery_date <= cast($run_date as date)
      )
)
select
    count(*) as events,
    count(distinct account_id) as accounts,
    min(account_id) as example_account_id,
    arg_min(_source_file || ' row ' || cast(_file_row as varchar), account_id) as example_location
from orphans;
