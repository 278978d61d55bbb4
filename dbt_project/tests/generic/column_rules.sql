{#- Every value rule declared on the model's columns (`config: meta: rules:` in its
    yml), checked in one pass over the rows: one row per broken rule, with how many rows
    break it and one example value. A model's value rules have this one home: the
    column's entry, beside its description. Rules:
      not_null: true        no NULL
      min: x / max: y       non-null values within [x, y], up to `tolerance` (an entropy
                            of exactly 1 may compute as 1 + 2e-16)
      values: [a, b]        non-null values among these (numbers: 0/1 flags)
    One query instead of one test per rule: each dbt test costs a query and a Dagster
    check event, and the mart has about sixty rules (docs/benchmarks.md, stop 31). -#}
{% test column_rules(model, model_name, tolerance=1e-9) %}
{%- set checks = [] -%}
{%- if execute -%}
  {%- set node = (graph.nodes.values() | selectattr('resource_type', 'equalto', 'model')
                  | selectattr('name', 'equalto', model_name) | list | first) -%}
  {%- for column in node.columns.values() -%}
    {%- set rules = (column.config.meta if column.config is defined and column.config.meta else column.meta).get('rules', {}) -%}
    {%- set c = adapter.quote(column.name) -%}
    {%- if rules.get('not_null') -%}
      {%- do checks.append((column.name, 'not null', c ~ ' is null')) -%}
    {%- endif -%}
    {%- if rules.get('min') is not none -%}
      {%- do checks.append((column.name, '>= ' ~ rules['min'], c ~ ' < ' ~ rules['min'] ~ ' - ' ~ tolerance)) -%}
    {%- endif -%}
    {%- if rules.get('max') is not none -%}
      {%- do checks.append((column.name, '<= ' ~ rules['max'], c ~ ' > ' ~ rules['max'] ~ ' + ' ~ tolerance)) -%}
    {%- endif -%}
    {%- if rules.get('values') -%}
      {%- do checks.append((column.name, 'in (' ~ rules['values'] | join(', ') ~ ')', c ~ ' not in (' ~ rules['values'] | join(', ') ~ ')')) -%}
    {%- endif -%}
  {%- endfor -%}
  {%- if not checks -%}
    {{ exceptions.raise_compiler_error("column_rules: no rules declared on " ~ model_name) }}
  {%- endif -%}
{%- endif -%}
{%- if checks %}
with counted as (
    select
    {%- for column, rule, broken in checks %}
        sum(case when {{ broken }} then 1 else 0 end) as broken_{{ loop.index }},
        min(case when {{ broken }} then cast({{ adapter.quote(column) }} as {{ dbt.type_string() }}) end) as example_{{ loop.index }}{{ "," if not loop.last }}
    {%- endfor %}
    from {{ model }}
)
{%- for column, rule, broken in checks %}
select '{{ column }}' as column_name, '{{ rule }}' as rule, broken_{{ loop.index }} as broken_rows, example_{{ loop.index }} as example
from counted where broken_{{ loop.index }} > 0
{{ "union all" if not loop.last }}
{%- endfor %}
{%- else %}
{#- parse time: any valid SQL will do -#}
select 1 as broken_rows where 1 = 0
{%- endif %}
{% endtest %}
