"""Resolve purchase order lines against the NetSuite catalogue and the operator mappings (SQL).

One view, `orders.purchase_order_line_resolution`, answers for every open PO line: which customer
bills it, which location ships it, which item it is, and what NetSuite thinks it costs. Every
later plan (sales orders, acknowledgements, exceptions) reads from it, so the mapping rules live in
exactly one place. The view is created with the order tables (`orders/schema.py`).
"""

from __future__ import annotations

# POs in these states need no more work from us.
FINAL_STATES = ("Closed", "CANCELLED", "SHIPPED")

RESOLUTION_VIEW = f"""
create or replace view orders.purchase_order_line_resolution as
select
    p.purchase_order_number,
    p.program,
    p.region,
    p.vendor_code,
    'amzn-' || lower(p.program) || '-' || p.vendor_code || '-' || p.purchase_order_number
        as sales_order_external_id,
    p.purchase_order_state,
    p.purchase_order_date,
    p.ship_window_start,
    p.ship_window_end,
    p.payload_hash,
    coalesce(p.ship_from_party_id, m.ship_from_party_id) as ship_from_party_id,
    p.ship_from_party_id is null and m.ship_from_party_id is null as ship_from_unmapped,
    loc.location_id,
    cust.customer_id,
    l.item_sequence_number,
    l.asin,
    l.vendor_sku,
    l.ordered_quantity,
    l.unit_of_measure,
    l.unit_size,
    l.is_backorder_allowed,
    l.net_cost,
    l.currency,
    i.item_id,
    i.sku,
    i.price as netsuite_price,
    coalesce(i.is_inactive, false) as item_inactive
from raw.amazon_purchase_orders p
join raw.amazon_purchase_order_lines l using (purchase_order_number)
left join config.ship_from_by_vendor_code m
    on p.program = 'RP' and m.vendor_code = p.vendor_code
left join raw.netsuite_locations loc
    on loc.amazon_party_id = coalesce(p.ship_from_party_id, m.ship_from_party_id)
left join raw.netsuite_customers cust on cust.vendor_code = p.vendor_code
left join raw.netsuite_items i on i.asin = l.asin
where p.purchase_order_state not in {FINAL_STATES}
"""
