{{ config(materialized='view') }}
-- Every Retail Procurement shipment (NetSuite item fulfilment = one ASN) with when it left,
-- when its ASN was first sent and when Amazon accepted it (the submission ledger), and its
-- cartons with their SSCCs and carrier tracking: the shipment half of a dispute case's
-- evidence. A view, like the cases it serves.
with asns as (
    select
        submission_key as shipment_id,
        status as asn_status,
        first_attempt_at as asn_sent_at,
        case when status = 'succeeded' then last_attempt_at end as asn_accepted_at
    from ops.submissions
    where channel = 'amazon.rp.shipmentConfirmation'
),

cartons as (
    select
        fulfilment_id,
        count(*) as cartons,
        list(sscc order by package_number) as carton_ssccs,
        list(tracking_number order by package_number) filter (where tracking_number is not null)
            as tracking_numbers,
        count(*) filter (where tracking_number is null) as cartons_without_tracking,
        count(*) filter (where weight_lb is null) as cartons_without_weight,
        sum(weight_lb) as gross_weight_lb
    from (
        select
            fulfilment_id, package_number, sscc, weight_lb,
            nullif(trim(tracking_number), '') as tracking_number
        from raw.netsuite_fulfilment_packages
    )
    group by fulfilment_id
)

select
    f.fulfilment_id,
    f.tranid as shipment_id,
    f.purchase_order_number,
    f.vendor_code,
    f.created_at as shipped_at,
    a.asn_status,
    a.asn_sent_at,
    a.asn_accepted_at,
    (epoch(a.asn_sent_at - f.created_at) / 3600.0)::decimal(10, 2) as asn_hours_after_shipping,
    coalesce(c.cartons, 0) as cartons,
    coalesce(c.carton_ssccs, []::varchar[]) as carton_ssccs,
    coalesce(c.tracking_numbers, []::varchar[]) as tracking_numbers,
    coalesce(c.cartons_without_tracking, 0) as cartons_without_tracking,
    coalesce(c.cartons_without_weight, 0) as cartons_without_weight,
    c.gross_weight_lb
from {{ source('raw', 'netsuite_item_fulfilments') }} as f
left join asns as a on a.shipment_id = f.tranid
left join cartons as c using (fulfilment_id)
where f.program = 'RP'
