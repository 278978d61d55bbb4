-- One row per pair of accounts that engaged the same targets at the same time in the
-- window of the latest feature build (dbt's int_account_pairs_cotargeted, a table built
-- once per build).
select account_a, account_b, cast(weight as double) as weight, targets_a, targets_b
from int_account_pairs_cotargeted;
