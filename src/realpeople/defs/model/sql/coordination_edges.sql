-- One row per pair of accounts that engaged the same targets at the same time in the run
-- date's feature window (dbt's int_account_pairs_cotargeted, a table built once per
-- feature build).
select account_a, account_b, cast(weight as double) as weight
from int_account_pairs_cotargeted;
