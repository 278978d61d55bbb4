-- The loaded raw events of one delivery, for validation.
select * from raw.events where _delivery_date = cast($delivery_date as date);
