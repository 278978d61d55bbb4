-- One row per day on which a label was reviewed: the day of each reviewed account's latest
-- review (the label, as training_set.sql picks it) among reviews delivered by $as_of, with
-- how many labels fall on it. What the catch-up snapshots must cover (snapshots.py).
with latest_review as (
    select
        account_id,
        reviewed_at,
        row_number() over (
            partition by account_id order by reviewed_at desc, review_id desc
        ) as recency
    from raw.reviews
    where _delivery_date <= cast($as_of as date)
      and reviewed_at < cast($as_of as date) + interval 1 day
)

select cast(reviewed_at as date) as review_day, count(*) as labels
from latest_review
where recency = 1
group by review_day
order by review_day;
