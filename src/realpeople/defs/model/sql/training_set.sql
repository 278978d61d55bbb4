-- One row per reviewed account: its latest review verdict (reviewed and delivered by
-- $as_of) as the label, and the features of the newest account_features snapshot taken
-- before the day of that review: what was known when the moderator looked, never what
-- the account did afterwards (point in time). The latest review is the label, as the
-- contract says. An account whose latest review predates every snapshot (or whose
-- newest earlier snapshot is more than $max_feature_age_days old) is left out rather
-- than given later features. So is one whose snapshot holds too little history to be
-- like the snapshot the model scores (before $min_feature_date: ml/dataset.py,
-- earliest_training_snapshot).
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
),

labelled as (
    select * from latest_review where recency = 1
),

snapshotted as (
    select
        features.* exclude (run_date),
        features.run_date as feature_date,
        labelled.verdict as label,
        labelled.source,
        labelled.reviewed_at
    from labelled
    asof inner join account_features as features
        on features.account_id = labelled.account_id
       -- strictly before the review's day: a snapshot of day D holds all of D's activity
       and features.run_date < cast(labelled.reviewed_at as date)
)

-- the structural cluster features of the same snapshot (as of feature_date, never later)
select snapshotted.*, clustered.* exclude (run_date, account_id)
from snapshotted
left join account_cluster_features as clustered
    on snapshotted.feature_date = clustered.run_date
   and snapshotted.account_id = clustered.account_id
where snapshotted.feature_date >= cast(snapshotted.reviewed_at as date) - to_days(cast($max_feature_age_days as integer))
  and snapshotted.feature_date >= cast($min_feature_date as date)
order by snapshotted.reviewed_at, snapshotted.account_id;
