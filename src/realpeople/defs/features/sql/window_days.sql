-- Days with events in the window of the latest feature build (int_events_windowed):
-- what the co-targeting weights were counted over.
select count(distinct cast(event_ts as date)) from int_events_windowed;
