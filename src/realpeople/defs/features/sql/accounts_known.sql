-- How many accounts are known as of run date $run_date: the accounts account_features
-- holds one row each for (int_accounts_snapshotted's rule: a snapshot delivered on or
-- before the run date, of an account created before its end). 0 when no accounts
-- delivery was taken yet, or every row of it was quarantined: events alone do not make
-- an account (check events_accounts_known counts them).
select count(distinct account_id)
from stg_activity__accounts
where delivered_on <= cast($run_date as date)
  and created_at < cast($run_date as date) + interval 1 day;
