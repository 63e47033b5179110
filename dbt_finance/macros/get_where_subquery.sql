{#- The rows a generic test reads: its `where` config, where `settlement_window(<column>)` stands
    for the run's settlement window on that column (the macro of the same name). dbt renders a
    test's config while parsing, before the run's window is known (see run_var), so schema.yml
    names the window and it is filled in here, when the test is compiled. -#}
{% macro get_where_subquery(relation) -%}
  {%- set state = namespace(where=config.get('where') or '') -%}
  {%- for column in modules.re.findall('settlement_window\(([a-z_]+)\)', state.where) -%}
    {%- set state.where = state.where.replace(
        'settlement_window(' ~ column ~ ')', settlement_window(column)) -%}
  {%- endfor -%}
  {%- if state.where -%}
    {{- return('(select * from ' ~ relation ~ ' where ' ~ state.where ~ ') dbt_subquery') -}}
  {%- else -%}
    {{- return(relation) -}}
  {%- endif -%}
{%- endmacro %}
