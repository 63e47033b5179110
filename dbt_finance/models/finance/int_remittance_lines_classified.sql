{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='settlement_date') }}
-- Every remittance line of the window with its deduction class (set-based: one CASE pass over
-- the finance rules seed) and the invoice key it belongs to.
with lines as (
    select * from {{ ref('stg_remittance_lines') }}
    where {{ settlement_window('settlement_date') }}
),

ruled as (
    select
        lines.*,
        {{ deduction_rule_case('reference', 'description', 'adjustment_reason', 'amount') }} as rule_id
    from lines
)

select
    ruled.*,
    coalesce(rules.class_code, 'UNKNOWN') as class_code
from ruled
left join {{ ref('deduction_rules') }} as rules using (rule_id)
