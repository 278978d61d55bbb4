-- The loaded raw appeals of one delivery, for validation.
select * from raw.appeals where _delivery_date = cast($delivery_date as date);
