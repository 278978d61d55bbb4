{#- Every value rule declared on the model's columns (`config: meta: rules:` in its
    yml), checked in one pass over the rows: one row per broken rule, with how many rows
    break it and one example value. A model's value rules have this one home: the
    column's entry, beside its description. Rules:
      not_null: true        no NULL
      min: x / max: y       non-null values within [x, y], up to `tolerance` (an entropy
                            of exactly 1 may compute as 1 + 2e-16)
      values: [a, b]        non-null values among these (numbers: 0/1 flags)
    Any other key is an error, so that a misspelt rule cannot go untested.
    One query instead of one test per rule: each dbt test costs a query and a Dagster
    check event, and the mart has about sixty rules (docs/benchmarks.md, stop 31). -#}
{% test column_rules(model, tolerance=1e-9) %}
{%- set checks = [] -%}
{%- if execute -%}
  {%- set node = tested_model() -%}
  {%- for column in node.columns.values() -%}
    {%- set rules = column.config.meta.get('rules', {}) -%}
    {%- set unknown = rules.keys() | reject('in', ['not_null', 'min', 'max', 'values']) | list -%}
    {%- if unknown -%}
      {{ exceptions.raise_compiler_error("column_rules: " ~ node.name ~ "." ~ column.name ~ " has unknown rule(s) " ~ unknown | join(', ') ~ " (known: not_null, min, max, values)") }}
    {%- endif -%}
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
      {%- set values = rules['values'] | join(', ') -%}
      {%- do checks.append((column.name, 'in (' ~ values ~ ')', c ~ ' not in (' ~ values ~ ')')) -%}
    {%- endif -%}
  {%- endfor -%}
  {%- if not checks -%}
    {{ exceptions.raise_compiler_error("column_rules: no rules declared on " ~ node.name) }}
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
