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
-- a claim and its reversals net per claim (open_deductions); po_number the purchase order the
-- line names, which a chargeback's dispute case is judged on (dispute_cases).
with lines as (
    select * from {{ ref('int_remittance_lines_classified') }}
    where {{ settlement_window('settlement_date') }}
),

charges as (
    -- Each line's charges: the line itself, unless it is an invoice payment; an invoice
    -- payment's column charges that are not zero.
    select
        lines.line_id || coalesce(':' || charge.kind, '') as charge_id,
        lines.line_id,
        lines.file_hash,
        lines.payment_number,
        lines.settlement_date,
        lines.reference,
        lines.base_invoice_key,
        lines.vendor_code,
        lines.original_invoice,
        charge.links_to,
        charge.class_code,
        charge.rule_id,
        charge.amount,
        charge.description,
        charge.adjustment_reason,
        lines.po_number
    from lines
    cross join lateral (
        select null as kind, lines.links_to, lines.class_code, lines.rule_id, lines.amount,
               lines.description, lines.adjustment_reason
        where lines.class_code <> 'INVOICE_PAYMENT'
        union all
        select 'discount', null, 'TERMS_DISCOUNT', 'discount_column', -lines.discount_amount,
               'Terms discount taken', null
        where lines.class_code = 'INVOICE_PAYMENT' and lines.discount_amount <> 0
        union all
        select 'withholding', null, 'TAX_WITHHELD', 'withholding_column', -lines.withholding_amount,
               'Tax withheld', null
        where lines.class_code = 'INVOICE_PAYMENT' and lines.withholding_amount <> 0
    ) as charge
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
