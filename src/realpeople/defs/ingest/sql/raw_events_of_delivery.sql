-- The loaded raw events of one delivery, for validation: every row up to 50,000, a
-- repeatable uniform sample beyond. The suite is a warning on formats and ranges; each row
-- was already validated at load (validate_events.sql), and a full 200k-row validation
-- costs ~5 s per delivery against ~1 s for the sample.
select *
from (
    select * from raw.events where _delivery_date = cast($delivery_date as date)
) as delivery
using sample reservoir (50000 rows) repeatable (7);
