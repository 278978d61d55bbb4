-- Ids of one delivery that repeat inside it, and ids an earlier delivery already brought.
-- raw.__table__ and __key__ are filled in from the closed list of contract tables (never
-- from input); the delivery date and the earliest earlier delivery searched are
-- parameters. For events that is late_event_days + 1 days back: an event of a delivery
-- is at most that old (contract 1.1), so a delivery that carried the same event before
-- is at most that much older; zone maps on _delivery_date skip every other delivery, and
-- the check's cost follows the delivery, not the size of the warehouse. (The other
-- tables are small and search every earlier delivery.)
with this_delivery as (
    select __key__ as id, count(*) as copies
    from raw.__table__
    where _delivery_date = $delivery_date
    group by 1
),

-- The earlier deliveries' rows probe this delivery's ids (a semi join), so only the
-- repeats are deduplicated: deduplicating every id of the four earlier events deliveries
-- first (32M at 1M accounts) cost more time and memory than the load itself.
delivered_before as (
    select distinct earlier.__key__ as id
    from raw.__table__ as earlier
    semi join this_delivery on earlier.__key__ = this_delivery.id
    where
        earlier._delivery_date < $delivery_date
        and earlier._delivery_date >= $earliest_delivery
)

select
    coalesce(sum(copies - 1) filter (where copies > 1), 0) as repeated,
    min(id) filter (where copies > 1) as repeated_example,
    (select count(*) from delivered_before) as delivered_before,
    (select min(id) from delivered_before) as delivered_before_example
from this_delivery;
