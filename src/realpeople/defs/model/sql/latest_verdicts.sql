-- One row per reviewed account: its latest verdict delivered and reached by $run_date (the
-- contract: the latest review is the label), and whether it was ever drawn by the random
-- audit (source random_sample). The terminate guard reads the audited people among them:
-- user reports pick out people who look automated, so they would overstate the rate.
select
    account_id,
    arg_max(verdict, reviewed_at) as verdict,
    bool_or(source = 'random_sample') as audited
from stg_activity__reviews
where delivered_on <= cast($run_date as date)
  and reviewed_at < cast($run_date as date) + interval 1 day
group by account_id;
