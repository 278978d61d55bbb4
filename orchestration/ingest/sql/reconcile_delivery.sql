-- One delivery's counts: landed and per the ledger (raw.deliveries), and as found in
-- raw.<table> and raw.quarantine. The raw table is chosen by $table_name so the same
-- statement serves all four tables without splicing identifiers.
with ledger as (
    select
        coalesce(sum(rows_landed), 0) as landed,
        coalesce(sum(rows_loaded), 0) as loaded,
        coalesce(sum(rows_quarantined), 0) as quarantined
    from raw.deliveries
    where table_name = $table_name and _delivery_date = $delivery_date
),
in_raw as (
    select 'accounts' as table_name, count(*) as n from raw.accounts where _delivery_date = $delivery_date
    union all
    select 'events', count(*) from raw.events where _delivery_date = $delivery_date
    union all
    select 'reviews', count(*) from raw.reviews where _delivery_date = $delivery_date
    union all
    select 'appeals', count(*) from raw.appeals where _delivery_date = $delivery_date
),
in_quarantine as (
    select count(*) as n from raw.quarantine
    where table_name = $table_name and _delivery_date = $delivery_date
)
select
    ledger.landed,
    ledger.loaded,
    ledger.quarantined,
    (select n from in_raw where table_name = $table_name) as loaded_found,
    (select n from in_quarantine) as quarantined_found
from ledger;
