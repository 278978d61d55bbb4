-- Network edges, kind 'device': pairs of accounts that used the same device in the run
-- date's window (dbt int_account_pairs_device_shared, as of the last features build).
select account_a, account_b, cast(weight as double) as weight, first_shared_at, last_shared_at,
    'device' as kind
from int_account_pairs_device_shared;
