{#- A var the product hands each run through the environment (VP_DBT_<NAME>), read only while the
    run executes. Not --vars: dbt re-parses the whole project whenever the vars differ from its
    saved parse (3 to 4 s a run here), while an environment value read after parsing leaves that
    parse valid. Without the environment it is the var itself (--vars, dbt_project.yml), so a
    `dbt build --vars ...` by hand does the same. -#}
{% macro run_var(name, default='') -%}
  {%- if execute -%}
    {{- env_var('VP_DBT_' ~ name | upper, var(name, default)) -}}
  {%- else -%}
    {{- var(name, default) -}}
  {%- endif -%}
{%- endmacro %}

{#- The nightly partition: `settlement_date` (one day) or, for single-run backfills, the range
    `settlement_date` .. `settlement_date_end` (inclusive). Empty = every day (full build).
    `lookback_days` widens the start, for models that need a trailing window of context. -#}
{% macro settlement_window(column, lookback_days=0) -%}
  {%- set start = run_var('settlement_date') -%}
  {%- set end = run_var('settlement_date_end') or start -%}
  {%- if start -%}
    {{ column }} between date '{{ start }}' - {{ lookback_days }} and date '{{ end }}'
  {%- else -%}
    true
  {%- endif -%}
{%- endmacro %}

{#- The day analysts and aging measure "as of": the end of the window, else today. -#}
{% macro as_of_date() -%}
  {%- set end = run_var('settlement_date_end') or run_var('settlement_date') -%}
  {%- if end -%} date '{{ end }}' {%- else -%} current_date {%- endif -%}
{%- endmacro %}
