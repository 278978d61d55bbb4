-- The edges networks are built from: pairs of accounts that shared a device in the
-- run date's window (dbt: int_account_pairs_device_shared, as of the last features build).
select account_a, account_b, weight, first_shared_at, last_shared_at
from int_account_pairs_device_shared;
