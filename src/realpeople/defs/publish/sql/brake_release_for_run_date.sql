select released_by, reason, released_at from brake_releases
where run_date = cast($run_date as date)
order by released_at desc
limit 1;
