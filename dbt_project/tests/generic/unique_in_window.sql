-- `column_name` is unique among the model's rows in the run date's feature window
-- (in_feature_window: event_ts in the window, delivered by the run date). For tables that
-- keep every day: testing the window each build keeps the test's cost with the window,
-- not with the whole history (earlier windows were tested by their own builds).
{% test unique_in_window(model, column_name) %}

select {{ column_name }}, count(*) as occurrences
from {{ model }} as m
where {{ in_feature_window('m') }}
group by {{ column_name }}
having count(*) > 1

{% endtest %}
