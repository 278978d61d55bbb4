-- Forget the previous survey of the landing zone outside the delivery folders.
delete from raw.landing_entries where scope = 'landing';
