-- The loaded raw reviews of one delivery, for validation.
select * from raw.reviews where _delivery_date = cast($delivery_date as date);
