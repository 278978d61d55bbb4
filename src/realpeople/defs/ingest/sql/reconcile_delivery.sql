-- One delivery's counts, per file and in total: landed, loaded and quarantined per the
-- ledger (raw.deliveries), against what raw.<table> and raw.quarantine hold. Per file,
-- landed = loaded + quarantined must hold (a file rejected unread counts 0 landed), and
-- each table must hold exactly the ledger's rows of that file. The raw table is chosen by
-- $table_name so the same statement serves all four tables without splicing identifiers.
with ledger as (
    select _source_file, coalesce(rows_landed, 0) as landed, rows_loaded as loaded,
           rows_quarantined as quarantined
    from raw.deliveries
    where table_name = $table_name and _delivery_date = $delivery_date
),
in_raw as (
    select _source_file, count(*) as n from raw.accounts
    where $table_name = 'accounts' and _delivery_date = $delivery_date group by 1
    union all
    select _source_file, count(*) from raw.events
    where $table_name = 'events' and _delivery_date = $delivery_date group by 1
    union all
    select _source_file, count(*) from raw.reviews
    where $table_name = 'reviews' and _delivery_date = $delivery_date group by 1
    union all
    select _source_file, count(*) from raw.appeals
    where $table_name = 'appeals' and _delivery_date = $delivery_date group by 1
),
in_quarantine as (
    select _source_file, count(*) as n from raw.quarantine
    where table_name = $table_name and _delivery_date = $delivery_date
    group by 1
),
per_file as (
    select ledger.*, coalesce(in_raw.n, 0) as loaded_found,
           coalesce(in_quarantine.n, 0) as quarantined_found
    from ledger
    left join in_raw using (_source_file)
    left join in_quarantine using (_source_file)
)
select
    (select coalesce(sum(landed), 0) from ledger) as landed,
    (select coalesce(sum(loaded), 0) from ledger) as loaded,
    (select coalesce(sum(quarantined), 0) from ledger) as quarantined,
    (select coalesce(sum(n), 0) from in_raw) as loaded_found,
    (select coalesce(sum(n), 0) from in_quarantine) as quarantined_found,
    (select count(*) from per_file
     where landed <> loaded + quarantined or loaded <> loaded_found
        or quarantined <> quarantined_found) as files_unreconciled;
