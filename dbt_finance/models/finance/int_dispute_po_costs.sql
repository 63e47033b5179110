{{ config(materialized='view') }}
-- Amazon's net cost of every purchase order line twice: as the order stands now (its latest
-- version) and as Amazon issued it (the first version landed), read from that version's
-- payload. A price claim made after Amazon updated its cost is judged against what the order
-- said when we accepted it.
with first_versions as (
    select purchase_order_number, payload
    from raw.amazon_purchase_order_versions
    qualify row_number() over (
        partition by purchase_order_number order by seen_at, payload_hash
    ) = 1
),

issued as (
    select
        purchase_order_number,
        json_extract_string(item, '$.itemSequenceNumber') as item_sequence_number,
        json_extract_string(item, '$.amazonProductIdentifier') as asin,
        try_cast(json_extract_string(item, '$.netCost.amount') as decimal(18, 4)) as net_cost
    from first_versions,
        unnest(coalesce(
            from_json(json_extract(payload, '$.orderDetails.items'), '["json"]'), []::json[]
        )) as t(item)
)

select
    coalesce(l.purchase_order_number, i.purchase_order_number) as purchase_order_number,
    coalesce(l.item_sequence_number, i.item_sequence_number) as item_sequence_number,
    coalesce(l.asin, i.asin) as asin,
    l.net_cost as po_net_cost,
    i.net_cost as po_net_cost_at_po_date,
    l.currency,
    po.purchase_order_date
from raw.amazon_purchase_order_lines as l
full join issued as i
    on i.purchase_order_number = l.purchase_order_number
   and i.item_sequence_number = l.item_sequence_number
left join {{ source('raw', 'amazon_purchase_orders') }} as po
    on po.purchase_order_number = coalesce(l.purchase_order_number, i.purchase_order_number)
