{{ config(
    materialized='incremental', incremental_strategy='delete+insert', unique_key='settlement_date',
    on_schema_change='append_new_columns'
) }}
-- Each remittance line of the window matched to its NetSuite invoice by normalised invoice key:
-- the invoice the line settles or adjusts (original_invoice) when the file names one, else the
-- key its own reference gives.
-- Amazon pays invoices in full and nets claims as separate lines, so an invoice line applies its
-- gross amount (before terms discount) and the discount and claims are charges (gl_postings).
with lines as (
    select * from {{ ref('int_remittance_lines_classified') }}
    where {{ settlement_window('settlement_date') }}
),

matched as (
    select
        lines.*,
        inv.invoice_id,
        inv.tranid as invoice_tranid,
        inv.customer_id,
        inv.total as invoice_total,
        inv.due_date as invoice_due_date
    from lines
    left join {{ ref('stg_netsuite_invoices') }} as inv
        on inv.invoice_key = coalesce(lines.original_invoice, lines.base_invoice_key)
),

invoices_paid as (
    -- invoices that this payment pays (positive invoice lines), and how many
    select payment_number, invoice_id, sum(invoice_amount) as gross_paid
    from matched
    where class_code = 'INVOICE_PAYMENT' and invoice_id is not null
    group by all
),

claims_on_invoice as (
    select payment_number, invoice_id, sum(amount) as claims_amount
    from matched
    where class_code not in ('INVOICE_PAYMENT', 'UNKNOWN') and invoice_id is not null
    group by all
),

payment_counts as (
    select payment_number, count(*) as payment_invoice_count
    from invoices_paid
    group by all
)

select
    m.line_id,
    m.file_hash,
    m.payment_number,
    m.settlement_date,
    m.line_no,
    m.record_kind,
    m.reference,
    m.base_invoice_key,
    m.vendor_code,
    m.original_invoice,
    m.links_to,
    m.class_code,
    m.invoice_id,
    m.invoice_tranid,
    m.customer_id,
    m.invoice_total,
    m.invoice_due_date,
    m.amount as cash_amount,
    m.invoice_amount,
    m.discount_amount,
    case
        when m.class_code = 'INVOICE_PAYMENT' and m.invoice_id is not null then m.invoice_amount
        else 0
    end::decimal(18, 2) as apply_amount,
    coalesce(c.claims_amount, 0)::decimal(18, 2) as claims_on_invoice_in_payment,
    coalesce(pc.payment_invoice_count, 0) as payment_invoice_count,
    case
        when m.class_code = 'INVOICE_PAYMENT' and m.invoice_id is null then 'UNMATCHED'
        when m.class_code = 'INVOICE_PAYMENT' and p.gross_paid > m.invoice_total then 'OVERPAY'
        when m.class_code = 'INVOICE_PAYMENT' and p.gross_paid < m.invoice_total then 'PARTIAL'
        when m.class_code = 'INVOICE_PAYMENT'
            and (m.discount_amount <> 0 or coalesce(c.claims_amount, 0) < 0) then 'SHORT_PAY'
        when m.class_code = 'INVOICE_PAYMENT' then 'FULL'
        when m.invoice_id is null then 'DEDUCTION_UNLINKED'
        when p.invoice_id is not null then 'DEDUCTION_ON_PAID_INVOICE'
        else 'DEDUCTION_OTHER_INVOICE'
    end as match_type
from matched as m
left join invoices_paid as p
    on p.payment_number = m.payment_number and p.invoice_id = m.invoice_id
left join claims_on_invoice as c
    on c.payment_number = m.payment_number and c.invoice_id = m.invoice_id
    and m.class_code = 'INVOICE_PAYMENT'
left join payment_counts as pc on pc.payment_number = m.payment_number
