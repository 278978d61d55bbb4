-- Everything the ledger says was not loaded: refused delivery folders, rejected files
-- (as of each delivery's latest load) and other refused entries, one row each.
select
    case when entry_kind = 'delivery' then 'delivery' else 'entry' end as kind,
    path,
    reason
from raw.landing_entries
union all
select 'file', _source_file, rejected_reason
from raw.deliveries
where rejected_reason is not null
order by kind, path;
