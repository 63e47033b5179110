{{ config(materialized='view') }}
-- Every purchase order item of every Retail Procurement shipment, four counts side by side:
-- units NetSuite fulfilled, units the ASN Amazon accepted said, units packed in the cartons
-- (NetSuite's carton contents) and units the cartons' scale weights imply
-- (int_dispute_cartons). A shortage claim is wrong when all four cover what was invoiced; a
-- carton that weighs less than its contents is a short pack the claim is right about.
with fulfilled as (
    select
        fulfilment_id,
        item_sequence_number,
        any_value(asin) as asin,
        any_value(item_id) as item_id,
        sum(quantity) as fulfilled_units
    from raw.netsuite_item_fulfilment_lines
    where quantity > 0
    group by all
),

sent as (
    select fulfilment_id, item_sequence_number, sum(quantity) as asn_units
    from {{ source('fulfilment', 'sent_shipment_lines') }}
    group by all
),

packed as (
    select
        fulfilment_id,
        item_sequence_number,
        sum(packed_units) as packed_units,
        -- one carton without a weight leaves the item's weighed units unknown
        case when count(*) = count(weighed_units) then sum(weighed_units) end as weighed_units,
        count(distinct package_number) as cartons,
        list(distinct sscc order by sscc) as carton_ssccs,
        -- cartons whose scale weight holds fewer units than NetSuite says were packed in them
        list(distinct sscc order by sscc) filter (where weighed_units < packed_units)
            as light_cartons,
        list(distinct tracking_number order by tracking_number)
            filter (where tracking_number is not null) as tracking_numbers,
        count(distinct package_number) filter (where tracking_number is null)
            as cartons_without_tracking,
        any_value(unit_weight_lb) as unit_weight_lb
    from {{ ref('int_dispute_cartons') }}
    group by all
),

items as (
    select fulfilment_id, item_sequence_number from fulfilled
    union
    select fulfilment_id, item_sequence_number from sent
    union
    select fulfilment_id, item_sequence_number from packed
)

select
    s.fulfilment_id,
    s.shipment_id,
    s.purchase_order_number,
    k.item_sequence_number,
    coalesce(fu.asin, pol.asin) as asin,
    fu.item_id,
    coalesce(fu.fulfilled_units, 0) as fulfilled_units,
    se.asn_units,
    coalesce(pa.packed_units, 0) as packed_units,
    pa.weighed_units,
    coalesce(pa.cartons, 0) as cartons,
    coalesce(pa.carton_ssccs, []::varchar[]) as carton_ssccs,
    coalesce(pa.light_cartons, []::varchar[]) as light_cartons,
    coalesce(pa.tracking_numbers, []::varchar[]) as tracking_numbers,
    coalesce(pa.cartons_without_tracking, 0) as cartons_without_tracking,
    pa.unit_weight_lb
from items as k
join {{ ref('int_dispute_shipments') }} as s using (fulfilment_id)
left join fulfilled as fu using (fulfilment_id, item_sequence_number)
left join sent as se using (fulfilment_id, item_sequence_number)
left join packed as pa using (fulfilment_id, item_sequence_number)
left join raw.amazon_purchase_order_lines as pol
    on pol.purchase_order_number = s.purchase_order_number
   and pol.item_sequence_number = k.item_sequence_number
