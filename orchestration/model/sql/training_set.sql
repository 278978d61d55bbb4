-- One row per reviewed account: its features as of $as_of and its latest review verdict
-- (reviewed and delivered by then) as the label. The latest review is the label, as
-- the contract says.
with latest_review as (
    select
        account_id,
        verdict,
        source,
        reviewed_at,
        row_number() over (
            partition by account_id order by reviewed_at desc, review_id desc
        ) as recency
    from stg_activity__reviews
    where delivered_on <= cast($as_of as date)
      and reviewed_at < cast($as_of as date) + interval 1 day
)
select
    features.*,
    latest_review.verdict as label,
    latest_review.source,
    latest_review.reviewed_at
from account_features as features
inner join latest_review
    on latest_review.account_id = features.account_id
   and latest_review.recency = 1
where features.run_date = cast($as_of as date)
order by features.account_id;
