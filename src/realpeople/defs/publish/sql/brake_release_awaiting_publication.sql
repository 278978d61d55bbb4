-- The newest release of the safety brake for the run date that no publication of that date
-- has followed yet (NULL when there is none): the run policy publishes the date once more
-- after it (src/realpeople/defs/policy.py).
select max(r.released_at)
from brake_releases as r
where
    r.run_date = cast($run_date as date)
    and r.released_at > coalesce(
        (select max(p.published_at) from publications as p where p.run_date = r.run_date),
        timestamp '1970-01-01'
    );
