-- Run dates whose last build left no row in account_features.
select b.run_date
from main.features_builds as b
where not exists (select 1 from main.account_features as f where f.run_date = b.run_date)
order by b.run_date;
