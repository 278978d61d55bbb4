-- Ids of one delivery that repeat inside it, and ids an earlier delivery already brought.
-- raw.__table__ and __key__ are filled in from the closed list of contract tables (never
-- from input); the delivery date is a parameter.
with this_delivery as (
    select __key__ as id, count(*) as copies
    from raw.__table__
    where _delivery_date = $delivery_date
    group by 1
),
earlier as (
    select distinct __key__ as id
    from raw.__table__
    where _delivery_date < $delivery_date
)
select
    coalesce(sum(copies - 1) filter (where copies > 1), 0) as repeated,
    min(id) filter (where copies > 1) as repeated_example,
    count(*) filter (where id in (select id from earlier)) as delivered_before,
    min(id) filter (where id in (select id from earlier)) as delivered_before_example
from this_delivery;
