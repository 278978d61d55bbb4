{#- Every non-null value of the column lies in [min_value, max_value], up to a
    floating-point tolerance (an entropy of exactly 1 may compute as 1 + 2e-16). -#}
{% test between(model, column_name, min_value, max_value, tolerance=1e-9) %}

select {{ column_name }}
from {{ model }}
where {{ column_name }} < {{ min_value }} - {{ tolerance }}
   or {{ column_name }} > {{ max_value }} + {{ tolerance }}

{% endtest %}
