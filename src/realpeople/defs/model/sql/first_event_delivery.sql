-- The day the warehouse's history begins: the earliest delivery date on which an events
-- file loaded rows ($as_of when none did). Snapshots are measured against it to know how
-- many days of history they hold (ml/dataset.py: earliest_training_snapshot).
select coalesce(min(_delivery_date), cast($as_of as date)) as first_day
from raw.deliveries
where table_name = 'events'
  and rows_loaded > 0
  and _delivery_date <= cast($as_of as date);
