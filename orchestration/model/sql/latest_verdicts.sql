-- One row per reviewed account: its latest verdict delivered and reached by $run_date (the
-- contract: the latest review is the label). The terminate guard reads the people among them.
select account_id, arg_max(verdict, reviewed_at) as verdict
from stg_activity__reviews
where delivered_on <= cast($run_date as date)
  and reviewed_at < cast($run_date as date) + interval 1 day
group by account_id;
