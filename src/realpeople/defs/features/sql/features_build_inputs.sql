-- What the raw layer holds, as the delivery ledger tells it: the newest load and the
-- number of files recorded. Any load (new, re-sent or out of order) moves one of them.
select max(_loaded_at) as loaded_through, count(*) as files
from raw.deliveries;
