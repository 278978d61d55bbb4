-- Tables of the incremental layer ($names) that exist but lack a column their YAML now
-- declares ($declared, 'table.column'): built before the column was added, they must be
-- rebuilt once from scratch (an appended text is never measured again).
select distinct split_part(d.declared, '.', 1) as table_name
from (select unnest($declared) as declared) as d
inner join information_schema.tables as t
    on t.table_schema = 'main'
   and t.table_name = split_part(d.declared, '.', 1)
where list_contains($names, t.table_name)
  and not exists (
      select 1
      from information_schema.columns as c
      where c.table_schema = 'main'
        and c.table_name = t.table_name
        and c.column_name = split_part(d.declared, '.', 2)
  )
order by table_name;
