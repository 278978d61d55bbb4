-- One row per day of the window: posts carrying the implicit AI marker, and the share of
-- them that also show the visible label (the trend compliance staff report); posts
-- labelled without the marker, marked without the label, and posts of accounts actioned
-- on the run date with neither (suspected AI, undisclosed).
select
    cast(event_ts as date) as day,
    count(*) filter (where ai_metadata) as marker_posts,
    avg(case when coalesce(ai_label, false) then 1.0 else 0.0 end) filter (where ai_metadata)
        as marker_posts_labelled_share,
    count(*) filter (where ai_label and not coalesce(ai_metadata, false)) as label_without_marker,
    count(*) filter (where ai_metadata and not coalesce(ai_label, false)) as marker_without_label,
    count(*) filter (where not coalesce(ai_label, false) and not coalesce(ai_metadata, false)
                     and account_id in (select account_id from enforcement_list
                                        where run_date = cast($run_date as date))) as suspected_with_neither
from stg_activity__events
where event_type = 'post'
  and event_ts >= cast($run_date as date) + interval 1 day - to_days(cast($window_days as integer))
  and event_ts < cast($run_date as date) + interval 1 day
  and delivered_on <= cast($run_date as date)
group by 1
order by 1;
