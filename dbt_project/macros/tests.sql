{% macro get_where_subquery(relation) -%}
  {#- A data test reads the rows its `where` config selects (dbt's own macro, called
      below). dbt renders that config when it parses the project, and the run date is
      known only when the build runs (macros/run_date.sql: a run date known at parse time
      would make every daily build parse the whole project again). So `__run_date__` in a
      `where` stands for the run date's DATE literal, filled in here, at run time: the
      mart's tests read the rows this build wrote, and their cost follows one run date,
      not the mart's whole history (dbt_project.yml, data_tests). -#}
  {%- set where = config.get('where', '') -%}
  {%- if where and '__run_date__' in where -%}
    {%- set where = where | replace('__run_date__', feature_window()['run_date']) -%}
    {%- set filtered -%}
      (select * from {{ relation }} where {{ where }}) dbt_subquery
    {%- endset -%}
    {%- do return(filtered) -%}
  {%- endif -%}
  {%- do return(adapter.dispatch('get_where_subquery', 'dbt')(relation)) -%}
{%- endmacro %}


{% macro tested_model() -%}
  {#- The model node a generic test is attached to, from the graph. Inside a generic test
      `model` is the relation under test; in a macro it calls, `model` is still the test
      node itself, whose attached_node names the model (so a test needs no argument that
      repeats the model it is declared on). Execute time only: the graph is complete then. -#}
  {%- do return(graph.nodes[model.attached_node]) -%}
{%- endmacro %}
