-- Ids of one delivery that repeat inside it, and ids an earlier delivery already brought.
-- raw.__table__, __key__ and __row_time__ are filled in from the closed list of contract
-- tables (never from input); the delivery date is a parameter.
-- A repeated id is the same row (contract), so it has the same row time (event_ts,
-- reviewed_at, ...): earlier deliveries are searched only within this delivery's range of
-- it. For events that range is a few days (late events are at most 3 days old), and the
-- raw table's zone maps on event_ts skip every other row group: the cost of the check
-- follows the delivery, not the size of the warehouse.
with this_delivery as (
    select __key__ as id, count(*) as copies,
           min(__row_time__) as first_time, max(__row_time__) as last_time
    from raw.__table__
    where _delivery_date = $delivery_date
    group by 1
),
span as (
    select min(first_time) as first_time, max(last_time) as last_time from this_delivery
),
earlier as (
    select distinct __key__ as id
    from raw.__table__
    where _delivery_date < $delivery_date
      and __row_time__ between (select first_time from span) and (select last_time from span)
)
select
    coalesce(sum(copies - 1) filter (where copies > 1), 0) as repeated,
    min(id) filter (where copies > 1) as repeated_example,
    count(*) filter (where id in (select id from earlier)) as delivered_before,
    min(id) filter (where id in (select id from earlier)) as delivered_before_example
from this_delivery;
