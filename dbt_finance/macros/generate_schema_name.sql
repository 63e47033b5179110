{#- Use the configured schema name as is (finance, marts, ...), not target_schema + '_' + name:
    analysts and the Python assets address tables as finance.cash_application. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}{%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
