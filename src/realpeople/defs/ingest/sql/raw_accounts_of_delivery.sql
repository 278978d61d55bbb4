-- The loaded raw accounts of one delivery, for validation.
select * from raw.accounts where _delivery_date = cast($delivery_date as date);
