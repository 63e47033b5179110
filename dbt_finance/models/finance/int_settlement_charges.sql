{{ config(materialized='incremental', incremental_strategy='delete+insert', unique_key='settlement_date') }}
-- One row per charge Amazon netted from (or paid back into) a settlement: every non-invoice
-- line, plus the terms discount taken on invoice lines (not a line of its own in either format).
-- amount is the signed cash effect: negative = deduction, positive = reversal / pay-back.
with lines as (
    select * from {{ ref('int_remittance_lines_classified') }}
    where {{ settlement_window('settlement_date') }}
)

select
    line_id as charge_id,
    line_id,
    file_hash,
    payment_number,
    settlement_date,
    reference,
    base_invoice_key,
    class_code,
    rule_id,
    amount,
    description,
    adjustment_reason
from lines
where class_code <> 'INVOICE_PAYMENT'

union all

select
    line_id || ':discount' as charge_id,
    line_id,
    file_hash,
    payment_number,
    settlement_date,
    reference,
    base_invoice_key,
    'TERMS_DISCOUNT' as class_code,
    'terms_discount_column' as rule_id,
    -discount_amount as amount,
    'Terms discount taken' as description,
    null as adjustment_reason
from lines
where class_code = 'INVOICE_PAYMENT' and discount_amount <> 0
