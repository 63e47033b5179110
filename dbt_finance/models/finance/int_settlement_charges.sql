{{ config(
    materialized='incremental', incremental_strategy='delete+insert', unique_key='settlement_date',
    on_schema_change='append_new_columns'
) }}
-- One row per charge Amazon netted from (or paid back into) a settlement: every non-invoice
-- line, plus the terms discount taken and the tax withheld on invoice lines (columns of the
-- invoice line in both formats, not lines of their own).
-- amount is the signed cash effect: negative = deduction, positive = reversal / pay-back.
-- original_invoice is the vendor invoice the charge adjusts; links_to the item a reversal
-- points at (its shortage claim, its provision); claim_key the claim the charge belongs to, so
-- a claim and its reversals net per claim (open_deductions).
with lines as (
    select * from {{ ref('int_remittance_lines_classified') }}
    where {{ settlement_window('settlement_date') }}
),

charges as (
    select
        line_id as charge_id,
        line_id,
        file_hash,
        payment_number,
        settlement_date,
        reference,
        base_invoice_key,
        vendor_code,
        original_invoice,
        links_to,
        class_code,
        rule_id,
        amount,
        description,
        adjustment_reason
    from lines
    where class_code <> 'INVOICE_PAYMENT'

    union all

    select
        line_id || ':' || column_charge.kind as charge_id,
        line_id,
        file_hash,
        payment_number,
        settlement_date,
        reference,
        base_invoice_key,
        vendor_code,
        original_invoice,
        null as links_to,
        column_charge.class_code,
        column_charge.kind || '_column' as rule_id,
        column_charge.amount,
        column_charge.description,
        null as adjustment_reason
    from lines
    cross join lateral (
        select 'discount' as kind, 'TERMS_DISCOUNT' as class_code, -lines.discount_amount as amount,
               'Terms discount taken' as description
        union all
        select 'withholding', 'TAX_WITHHELD', -lines.withholding_amount, 'Tax withheld'
    ) as column_charge
    where lines.class_code = 'INVOICE_PAYMENT' and column_charge.amount <> 0
)

select
    *,
    -- The claim a charge belongs to. Shortages and provisions have ids of their own and a
    -- reversal names its claim (links_to); price claims have none and are claimed per invoice.
    upper(case
        when class_code in ('PRICE_CLAIM', 'PRICE_CLAIM_REVERSAL')
            then coalesce(original_invoice, base_invoice_key)
        when class_code in ('SHORTAGE_REVERSAL', 'PROVISION_REVERSAL')
            then coalesce(links_to, reference)
        else reference
    end) as claim_key
from charges
