{{ config(materialized='view') }}
-- One hash per dispute case of everything its judgement reads: its claim lines (and their
-- payments' customer and currency), the NetSuite invoice it names (header, lines and their
-- items, the fulfilments linked to it) and its purchase order (lines, versions, header and
-- every shipment of it), each shipment with its lines, items, cartons, carton contents, ASN
-- lines and the ASN's submission, and the judgement's vars. int_dispute_judgements judges
-- again only the cases whose hash changed since it last stored them, so a late fact (a carton
-- weighed, an ASN accepted, a PO re-costed, an invoice that reached NetSuite, a reversal)
-- re-judges exactly the cases it touches, and a night without one judges only the day's new
-- claims. Whole rows are hashed, so a column the judgement starts reading is covered already;
-- only what changes without changing the evidence is left out (load times, an invoice's
-- payment status). A new table the judgement reads must be hashed here too.
-- Hashes are summed (HUGEINT, no overflow), not XORed: a row present twice is not a row absent.
with claims as (
    select
        case_id,
        min(coalesce(original_invoice, base_invoice_key))
            filter (where case_class <> 'CHARGEBACK') as invoice_key,
        min(po_number) as line_po_number,
        sum(line_hash) as lines_hash
    from {{ ref('int_dispute_claim_lines') }}
    where settlement_date <= {{ as_of_date() }}
    group by case_id
    having {{ dispute_claim_is_open('amount') }}
),

items_by_sku as (
    select sku, sum(hash(i)) as items_hash from {{ source('raw', 'netsuite_items') }} as i
    group by sku
),

items_by_id as (
    select item_id, sum(hash(i)) as items_hash from {{ source('raw', 'netsuite_items') }} as i
    group by item_id
),

po_lines as (
    select purchase_order_number, sum(hash(l)) as lines_hash
    from raw.amazon_purchase_order_lines as l
    group by purchase_order_number
),

fulfilment_headers as (
    select * exclude (loaded_at) from {{ source('raw', 'netsuite_item_fulfilments') }}
),

-- a shipment: its header, lines (with their items), cartons, carton contents, ASN lines, the
-- ASN's submission and the lines of its PO (where an item's ASIN may come from)
fulfilments as (
    select fulfilment_id, sum(row_hash) as fulfilment_hash
    from (
        select f.fulfilment_id, hash(f, pl.lines_hash) as row_hash
        from fulfilment_headers as f
        left join po_lines as pl using (purchase_order_number)
        union all
        select l.fulfilment_id, hash(l, i.items_hash)
        from raw.netsuite_item_fulfilment_lines as l
        left join items_by_id as i using (item_id)
        union all
        select fulfilment_id, hash(p) from raw.netsuite_fulfilment_packages as p
        union all
        select fulfilment_id, hash(c) from fulfilment.package_contents as c
        union all
        select fulfilment_id, hash(s) from {{ source('fulfilment', 'sent_shipment_lines') }} as s
        union all
        select f.fulfilment_id, hash(a)
        from ops.submissions as a
        join fulfilment_headers as f on f.tranid = a.submission_key
        where a.channel = 'amazon.rp.shipmentConfirmation'
    )
    group by fulfilment_id
),

invoice_headers as (
    select
        invoice_key,
        min(invoice_id) as invoice_id,
        arg_min(po_number, invoice_id) as po_number,
        sum(hash(i)) as header_hash
    from (
        select * exclude (amount_remaining, status) from {{ ref('stg_netsuite_invoices') }}
    ) as i
    group by invoice_key
),

invoices as (
    select invoice_id, sum(row_hash) as invoice_hash
    from (
        select l.invoice_id, hash(l, r, i.items_hash) as row_hash
        from {{ source('raw', 'netsuite_invoice_lines') }} as l
        left join raw.netsuite_invoice_line_refs as r using (invoice_id, line)
        left join items_by_sku as i using (sku)
        union all
        select x.invoice_id, hash(x, f.fulfilment_hash)
        from raw.netsuite_invoice_fulfilments as x
        left join fulfilments as f using (fulfilment_id)
    )
    group by invoice_id
),

purchase_orders as (
    select purchase_order_number, sum(row_hash) as po_hash
    from (
        select purchase_order_number, lines_hash as row_hash from po_lines
        union all
        -- the version's payload_hash stands for its payload
        select purchase_order_number, hash(purchase_order_number, payload_hash, seen_at)
        from raw.amazon_purchase_order_versions
        union all
        select purchase_order_number, hash(po)
        from {{ source('raw', 'amazon_purchase_orders') }} as po
        union all
        -- a chargeback is judged on every shipment of its PO
        select f.purchase_order_number, h.fulfilment_hash
        from fulfilment_headers as f
        join fulfilments as h using (fulfilment_id)
    )
    group by purchase_order_number
)

select
    c.case_id,
    hash(
        c.lines_hash, h.header_hash, i.invoice_hash, po.po_hash,
        {{ var('asn_on_time_hours', 24) }}, {{ var('carton_tare_lb', 0.5) }}
    ) as evidence_fingerprint
from claims as c
left join invoice_headers as h using (invoice_key)
left join invoices as i on i.invoice_id = h.invoice_id
left join purchase_orders as po
    on po.purchase_order_number = coalesce(c.line_po_number, h.po_number)
