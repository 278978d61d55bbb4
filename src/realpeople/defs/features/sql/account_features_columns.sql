-- The columns of the feature mart as the warehouse holds it, in the table's order (none
-- before the first build).
select column_name
from information_schema.columns
where table_schema = 'main' and table_name = 'account_features'
order by ordinal_position;
