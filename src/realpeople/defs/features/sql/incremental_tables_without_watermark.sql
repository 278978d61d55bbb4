-- Tables of the incremental layer ($names) that exist without its loaded_through column:
-- built by a version before the layer, they must be rebuilt once from scratch.
select t.table_name
from information_schema.tables as t
where t.table_schema = 'main'
  and list_contains($names, t.table_name)
  and not exists (
      select 1
      from information_schema.columns as c
      where c.table_schema = t.table_schema
        and c.table_name = t.table_name
        and c.column_name = 'loaded_through'
  )
order by t.table_name;
