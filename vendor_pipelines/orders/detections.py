"""Exception detections of the order sync, as SELECTs over the resolution view and the ledger.

Each query returns the columns of `ops.exceptions.DETECTION_COLUMNS`; the flows hand them to
`record_detections`, which opens, refreshes and resolves exceptions set-based.
"""

from __future__ import annotations

from vendor_pipelines.orders.plans import ACK_CHANNELS, SALES_ORDER_CHANNEL

# Found while planning sales orders: mapping gaps and price discrepancies.
MAPPING_AND_PRICE = """
select distinct 'location_mapping_gap' as exception_type,
       purchase_order_number || '|ship_from' as entity_key, vendor_code,
       purchase_order_number, null as asin, null as sku, ship_from_party_id as reference,
       case when ship_from_unmapped
            then 'vendor code ' || vendor_code || ' has no ship-from warehouse in '
                 || 'config.ship_from_by_vendor_code'
            else 'ship-from party ' || ship_from_party_id || ' has no NetSuite location '
                 || '(custrecord_amazon_party_id)' end as detail
from orders.purchase_order_line_resolution where location_id is null
union all
select distinct 'location_mapping_gap', purchase_order_number || '|customer', vendor_code,
       purchase_order_number, null, null, vendor_code,
       'vendor code ' || vendor_code || ' has no NetSuite customer (custentity_amazon_vendor_code)'
from orders.purchase_order_line_resolution where customer_id is null
union all
select 'sku_mapping_gap', purchase_order_number || '|' || item_sequence_number, vendor_code,
       purchase_order_number, asin, vendor_sku, item_sequence_number,
       'ASIN ' || coalesce(asin, '(none)') || ' on line ' || item_sequence_number
       || ' matches no NetSuite item (custitem_amazon_asin)'
from orders.purchase_order_line_resolution where item_id is null
union all
select 'price_discrepancy', purchase_order_number || '|' || item_sequence_number, vendor_code,
       purchase_order_number, asin, sku, item_sequence_number,
       'PO net cost ' || net_cost || ' vs NetSuite price ' || netsuite_price || ' ('
       || round(100 * (net_cost - netsuite_price) / netsuite_price, 2) || '%)'
from orders.purchase_order_line_resolution
where item_id is not null and net_cost is not null and netsuite_price is not null
  and abs(net_cost - netsuite_price) > greatest(?, ? * netsuite_price)
"""

# After the sales order sync: open POs that still have no sales order, with the reason.
UNSYNCED_PURCHASE_ORDERS = f"""
select 'po_not_mapped' as exception_type, r.purchase_order_number as entity_key,
       any_value(r.vendor_code) as vendor_code, r.purchase_order_number, null as asin,
       null as sku, any_value(r.sales_order_external_id) as reference,
       case when bool_or(r.location_id is null) then 'no NetSuite location for the ship-from party'
            when bool_or(r.customer_id is null) then 'no NetSuite customer for the vendor code'
            when not bool_or(r.item_id is not null) then 'no line maps to a NetSuite item'
            when not bool_or(r.ordered_quantity > 0) then 'every line was cancelled by Amazon'
            else 'sales order upsert failed: ' || coalesce(any_value(s.last_error), 'not sent')
       end as detail
from orders.purchase_order_line_resolution r
left join ops.submissions s
    on s.channel = '{SALES_ORDER_CHANNEL}' and s.submission_key = r.sales_order_external_id
group by r.purchase_order_number
having bool_and(s.status is distinct from 'succeeded')
"""

# Open purchase orders (`p`) not acknowledged yet: no acknowledgement in the ledger (`s`), or
# one still pending or failed. Each query that reads it adds its deadline (`and ...`).
UNACKNOWLEDGED_PURCHASE_ORDERS = f"""
from raw.amazon_purchase_orders p
left join ops.submissions s
    on s.submission_key = p.purchase_order_number
   and s.channel = case p.program when 'RP' then '{ACK_CHANNELS["RP"]}'
                                  else '{ACK_CHANNELS["DF"]}' end
where p.purchase_order_state in ('New', 'NEW')
  and (s.status is null or s.status in ('pending', 'failed'))"""

# After acknowledgements: rejected by Amazon, or still unanswered past Amazon's deadline.
ACKNOWLEDGEMENT_PROBLEMS = f"""
select 'acknowledgement_failed' as exception_type, s.submission_key as entity_key,
       p.vendor_code, s.submission_key as purchase_order_number, null as asin, null as sku,
       s.external_ref as reference, coalesce(s.last_error, 'rejected by Amazon') as detail
from ops.submissions s
left join raw.amazon_purchase_orders p on p.purchase_order_number = s.submission_key
where s.channel in ('{ACK_CHANNELS["RP"]}', '{ACK_CHANNELS["DF"]}') and s.status = 'failed'
union all
select 'acknowledgement_overdue', p.purchase_order_number, p.vendor_code,
       p.purchase_order_number, null, null, null,
       'not acknowledged ' || ? || 'h after the order date ' || strftime(p.purchase_order_date,
       '%Y-%m-%d %H:%M UTC')
{UNACKNOWLEDGED_PURCHASE_ORDERS}
  and p.purchase_order_date < now() - to_hours(?::integer)
"""

# Payloads that could not be landed, still in quarantine.
QUARANTINED_PAYLOADS = """
select 'quarantined_payload' as exception_type, payload_kind || '|' || payload_key as entity_key,
       json_extract_string(payload, '$.orderDetails.sellingParty.partyId') as vendor_code,
       payload_key as purchase_order_number, null as asin, null as sku,
       payload_kind as reference, reason as detail
from raw.amazon_quarantined_payloads
"""
