-- Quarantined rows of one delivery, by reason's column (the text before the first ':').
select split_part(reason, ':', 1) as reason_column, count(*) as row_count
from raw.quarantine
where table_name = $table_name and _delivery_date = $delivery_date
group by 1
order by 2 desc;
