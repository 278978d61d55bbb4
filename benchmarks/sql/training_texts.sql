-- One row per (reviewed account, distinct non-empty text) in the feature window of the
-- account's training snapshot ($reviewed: account_id, feature_date, one row per account;
-- the same window as int_events_windowed: event_ts in [D + 1 day - $window_days days,
-- D + 1 day), delivered on or before D). Point in time: what the snapshot knew. The text
-- model (ml/textlm.py) is fitted and cross-fitted on these.
select distinct e.account_id, e.text
from reviewed as r
inner join stg_activity__events as e
    on e.account_id = r.account_id
where e.delivered_on <= r.feature_date
  and e.event_ts >= cast(r.feature_date as timestamp) + interval 1 day - to_days(cast($window_days as integer))
  and e.event_ts < cast(r.feature_date as timestamp) + interval 1 day
  and e.text is not null
  and length(trim(e.text)) > 0
order by e.account_id, e.text;
