-- One row per (account, distinct non-empty text) in the feature window of $run_date (the
-- window of int_events_windowed: event_ts in [D + 1 day - $window_days days, D + 1 day),
-- delivered on or before D): what the champion's text model (ml/textlm.py) scores.
select distinct e.account_id, e.text
from stg_activity__events as e
where e.delivered_on <= cast($run_date as date)
  and e.event_ts >= cast($run_date as timestamp) + interval 1 day - to_days(cast($window_days as integer))
  and e.event_ts < cast($run_date as timestamp) + interval 1 day
  and e.text is not null
  and length(trim(e.text)) > 0
order by e.account_id, e.text;
