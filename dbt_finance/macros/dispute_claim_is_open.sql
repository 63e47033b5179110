{#- A case's lines (int_dispute_claim_lines) make a case once Amazon took something (a reversal
    seen before its claim is not one yet). One definition for the judgement
    (int_dispute_judgements) and for the hash of what it reads (int_dispute_case_fingerprints),
    so both see the same cases. -#}
{% macro dispute_claim_is_open(amount) -%}
    coalesce(-sum({{ amount }}) filter (where {{ amount }} < 0), 0) > 0
{%- endmacro %}
