{#- The nightly partition: `settlement_date` (one day) or, for single-run backfills, the range
    `settlement_date` .. `settlement_date_end` (inclusive). Empty = every day (full build).
    `lookback_days` widens the start, for models that need a trailing window of context. -#}
{% macro settlement_window(column, lookback_days=0) -%}
  {%- set start = var('settlement_date', '') -%}
  {%- set end = var('settlement_date_end', '') or start -%}
  {%- if start -%}
    {{ column }} between date '{{ start }}' - {{ lookback_days }} and date '{{ end }}'
  {%- else -%}
    true
  {%- endif -%}
{%- endmacro %}

{#- The day analysts and aging measure "as of": the end of the window, else today. -#}
{% macro as_of_date() -%}
  {%- set end = var('settlement_date_end', '') or var('settlement_date', '') -%}
  {%- if end -%} date '{{ end }}' {%- else -%} current_date {%- endif -%}
{%- endmacro %}
