-- The run date: the newest of the landing zone's delivery dates ($dates) on which some
-- file loaded rows. An empty dt= folder, or a delivery whose rows were all refused, does
-- not move it.
select max(_delivery_date)
from raw.deliveries
where rows_loaded > 0
  and list_contains(cast($dates as date[]), _delivery_date);
