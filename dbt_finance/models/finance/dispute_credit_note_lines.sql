{{ config(materialized='view') }}
-- The credit note that settles each valid shortage and price claim, one row per claim (the
-- claimed ASIN's first invoice line): the vendor accepts the claim on both sides, with
-- * an RP credit note to Amazon (submitInvoices, invoiceType CreditNote) naming Amazon's debit
--   note (the claim's reference) and the invoice it was taken on, so Amazon matches it to the
--   claim it already netted from a payment instead of netting it a second time;
-- * a NetSuite credit memo on the customer: the units of a shortage at the invoice rate (the
--   units never left, so the memo puts them back in stock), or the per-unit difference of a
--   price claim on the price-adjustment item the NetSuite resource names.
-- Only a claim that is whole units of exactly one invoice line can be credited line by line
-- (dispute_cases names its ASIN and units); any other valid claim keeps its reclass journal.
-- Whether Amazon accepted the credit note and NetSuite holds the memo is read from the
-- submission ledger (ops.submissions) as it stands: dispute_journal_lines moves a credited
-- claim from 1205 onto the customer's receivable, where the memo clears it.
with valid as (
    select c.*
    from {{ ref('dispute_cases') }} as c
    where c.status = 'valid'
      and c.case_class in ('SHORTAGE', 'PRICE_CLAIM')
      and c.asin is not null
      and c.claimed_units > 0
      and c.recovered_amount = 0
),

lines as (
    select
        v.case_id,
        l.line as invoice_line,
        l.sku as vendor_sku,
        l.rate,
        row_number() over (partition by v.case_id order by l.line) as line_rank
    from valid as v
    join {{ ref('stg_netsuite_invoice_lines') }} as l
        on l.invoice_id = v.invoice_id and l.asin = v.asin and l.quantity > 0
),

items as (
    select * from {{ source('raw', 'netsuite_items') }}
    qualify row_number() over (partition by sku order by is_inactive, item_id) = 1
),

priced as (
    select
        v.* exclude (vendor_code),
        -- the vendor code we invoiced from (an 820's lines may name none)
        coalesce(inv.vendor_code, v.vendor_code) as vendor_code,
        l.invoice_line,
        l.vendor_sku,
        it.item_id,
        case
            when v.case_class = 'SHORTAGE' then l.rate
            else round(v.claimed_amount / v.claimed_units, 2)
        end::decimal(18, 2) as unit_amount
    from valid as v
    join lines as l on l.case_id = v.case_id and l.line_rank = 1
    left join {{ source('raw', 'netsuite_invoices') }} as inv on inv.invoice_id = v.invoice_id
    left join items as it on it.sku = l.vendor_sku
),

-- The ledger is read as a table, not a dbt source: it is the product's own state, written by
-- every asset that sends, not an upstream asset of the graph.
ledger as (
    select channel, submission_key, status
    from ops.submissions
    where channel in ('amazon.rp.credit_note', 'netsuite.creditMemo')
)

select
    p.case_id,
    'CN-' || p.case_id as credit_note_id,
    'AMZ-CM-' || p.case_id as credit_memo_external_id,
    p.case_class,
    p.claim_reference as debit_note_number,
    p.invoice_number as reference_invoice_number,
    p.invoice_id,
    p.invoice_line,
    p.vendor_code,
    p.customer_id,
    p.currency,
    p.claimed_on as credit_date,
    p.asin,
    p.vendor_sku,
    p.item_id,
    p.claimed_units as units,
    p.unit_amount,
    p.claimed_amount as amount,
    p.root_cause,
    coalesce(an.status, 'not sent') as credit_note_status,
    coalesce(ns.status, 'not posted') as credit_memo_status
from priced as p
left join ledger as an
    on an.channel = 'amazon.rp.credit_note' and an.submission_key = 'CN-' || p.case_id
left join ledger as ns
    on ns.channel = 'netsuite.creditMemo' and ns.submission_key = 'AMZ-CM-' || p.case_id
-- a claim the line's units and price do not add up to is not credited line by line
where p.unit_amount * p.claimed_units = p.claimed_amount
