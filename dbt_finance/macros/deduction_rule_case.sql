{#- Compile the finance-owned rules seed into one CASE expression over constant patterns, so
    classification is a single vectorised pass (a join on regex patterns would recompile a
    pattern per row). First matching rule by priority wins; the result is the rule_id, and the
    class comes from joining the seed on it.
    This file is the only implementation of classification: dbt renders it for the warehouse,
    and `vendor_pipelines.finance.classification` renders the same macros (with its own
    run_query and ref) for `vendor-pipelines remittance check`, which has no warehouse. Keep it
    to plain Jinja and SQL that both understand. -#}
{% macro deduction_rule_case(reference, description, reason, amount) -%}
  {%- if execute -%}
    {%- set rules = run_query(
        "select rule_id, reference_pattern, description_pattern, reason_pattern, amount_sign"
        ~ " from " ~ ref('deduction_rules') ~ " order by priority, rule_id") -%}
    case
    {%- for rule in rules.rows %}
      when true
        {%- if rule[1] %} and regexp_matches({{ reference }}, '{{ rule[1] | replace("'", "''") }}'){% endif %}
        {%- if rule[2] %} and regexp_matches(coalesce({{ description }}, ''), '{{ rule[2] | replace("'", "''") }}'){% endif %}
        {%- if rule[3] %} and regexp_matches(coalesce({{ reason }}, ''), '{{ rule[3] | replace("'", "''") }}'){% endif %}
        {%- if rule[4] == '+' %} and {{ amount }} > 0{% elif rule[4] == '-' %} and {{ amount }} < 0{% endif %}
        then '{{ rule[0] }}'
    {%- endfor %}
    end
  {%- else -%}
    cast(null as varchar)
  {%- endif -%}
{%- endmacro %}

{#- Remittance lines (`lines`: a relation or CTE with the staged columns) with their rule and
    deduction class. A plain invoice payment settles its own invoice, so its original_invoice is
    its base invoice key; every other line keeps the lineage the parser read from the file. -#}
{% macro classified_remittance_lines(lines) -%}
select
    ruled.* exclude (original_invoice),
    coalesce(rules.class_code, 'UNKNOWN') as class_code,
    coalesce(
        ruled.original_invoice,
        case when rules.class_code = 'INVOICE_PAYMENT' then ruled.base_invoice_key end
    ) as original_invoice
from (
    select
        l.*,
        {{ deduction_rule_case('l.reference', 'l.description', 'l.adjustment_reason', 'l.amount') }} as rule_id
    from {{ lines }} as l
) as ruled
left join {{ ref('deduction_rules') }} as rules using (rule_id)
{%- endmacro %}

{#- Invoice key used on both sides of cash application: upper case, shortage suffix chain
    (SC/SCR...) stripped when it follows a digit, `_` resubmissions read as `-`. -#}
{% macro base_invoice_key(reference) -%}
  {#- Only a reference ending in SC or SCR can carry a chain: the regular expression runs on
      those alone (it costs more than the rest of a large file's staging). -#}
  {%- set key = 'upper(trim(' ~ reference ~ '))' -%}
  replace(case when suffix({{ key }}, 'SC') or suffix({{ key }}, 'SCR')
               then regexp_replace({{ key }}, '^(.*[0-9])(SCR|SC)+$', '\1')
               else {{ key }} end, '_', '-')
{%- endmacro %}
