{{ config(materialized='view') }}
-- Every carton of every Retail Procurement shipment, one row per (carton, order line) it holds:
-- what NetSuite says was packed, and what the carton's scale weight says it held. The weight
-- is the warehouse's own proof of a short-packed carton (the picker scanned N, the carton held
-- N-1): weighed_units = (scale weight - tare - the other lines' weight) / one unit's weight,
-- rounded to a whole unit. NULL when the carton has no weight or the item none in NetSuite.
-- A view: the evidence of dispute_cases, read only when a case is looked at.
with cartons as (
    select
        p.fulfilment_id,
        p.package_number,
        p.sscc,
        p.weight_lb,
        nullif(trim(p.tracking_number), '') as tracking_number,
        c.order_line,
        c.quantity as packed_units,
        l.item_id,
        l.item_sequence_number,
        l.asin,
        i.sku,
        i.weight * case lower(i.weight_unit)
            when 'lb' then 1.0
            when 'kg' then 2.20462
            when 'g' then 0.00220462
            when 'oz' then 0.0625
        end as unit_weight_lb
    from raw.netsuite_fulfilment_packages as p
    join fulfilment.package_contents as c using (fulfilment_id, package_number)
    join {{ source('raw', 'netsuite_item_fulfilments') }} as f using (fulfilment_id)
    left join raw.netsuite_item_fulfilment_lines as l
        on l.fulfilment_id = c.fulfilment_id and l.order_line = c.order_line
    left join {{ source('raw', 'netsuite_items') }} as i on i.item_id = l.item_id
    where f.program = 'RP'
),

weighed as (
    select
        *,
        -- what the carton's other lines weigh, as NetSuite says they were packed
        sum(packed_units * unit_weight_lb) over (partition by fulfilment_id, package_number)
            - packed_units * unit_weight_lb as other_lines_lb,
        -- a line of the carton without a unit weight leaves the whole carton unweighable
        count(*) over (partition by fulfilment_id, package_number)
            - count(unit_weight_lb) over (partition by fulfilment_id, package_number)
            as lines_without_unit_weight
    from cartons
)

select
    fulfilment_id,
    package_number,
    sscc,
    tracking_number,
    weight_lb,
    order_line,
    item_id,
    item_sequence_number,
    asin,
    sku,
    packed_units,
    round(unit_weight_lb, 4) as unit_weight_lb,
    round({{ var('carton_tare_lb', 0.5) }} + packed_units * unit_weight_lb, 2) as expected_weight_lb,
    case
        when weight_lb is not null and lines_without_unit_weight = 0 and unit_weight_lb > 0
            then greatest(round(
                (weight_lb - {{ var('carton_tare_lb', 0.5) }} - other_lines_lb) / unit_weight_lb
            ), 0)::integer
    end as weighed_units
from weighed
