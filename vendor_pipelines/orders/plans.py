"""What the order sync should send, derived set-based from the resolution view.

* Sales orders: one per PO with at least one mapped line, a customer and a location; only POs
  whose content changed since their last successful upsert (so cost follows new data).
* Acknowledgements: RP per line Accepted / Backordered / Rejected from stock at the mapped
  location, allocated across POs in PO-date order; DF whole orders accepted or rejected.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import duckdb

SALES_ORDER_CHANNEL = "netsuite.salesOrder"
ACK_CHANNELS = {"RP": "amazon.rp.acknowledgement", "DF": "amazon.df.acknowledgement"}


@dataclass(frozen=True)
class OrderRules:
    """Business rules operators can tune per deployment."""

    price_tolerance_pct: float = 0.01  # PO net cost may differ from NetSuite by this share...
    price_tolerance_abs: float = 0.01  # ...or by this amount, whichever is larger
    auto_acknowledge_rp: bool = True
    auto_acknowledge_df: bool = True
    acknowledgement_deadline_hours: int = 24


# Lines of POs that can become a sales order and have changed since their last upsert.
SALES_ORDERS_TO_SYNC = f"""
with syncable as (
    select purchase_order_number
    from orders.purchase_order_line_resolution
    group by purchase_order_number
    having bool_and(customer_id is not null) and bool_and(location_id is not null)
       and bool_or(item_id is not null and ordered_quantity > 0)
),
-- Lines Amazon cancelled (quantity set to zero) have nothing to fulfil.
lines as (
    select r.*
    from orders.purchase_order_line_resolution r
    join syncable using (purchase_order_number)
    where r.item_id is not null and r.ordered_quantity > 0
),
-- What the sales order says, hashed: a PO state change (New -> Acknowledged -> Closed) changes
-- Amazon's payload but not the order, and must not re-send (or re-shape) a fulfilled order.
content as (
    select purchase_order_number, md5(
        any_value(customer_id) || '|' || any_value(location_id) || '|' || string_agg(
            item_sequence_number || ':' || item_id || ':' || ordered_quantity || ':'
            || coalesce(net_cost::varchar, ''), ',' order by item_sequence_number)
    ) as content_hash
    from lines group by purchase_order_number
)
select l.*, c.content_hash
from lines l
join content c using (purchase_order_number)
left join ops.submissions s
    on s.channel = '{SALES_ORDER_CHANNEL}' and s.submission_key = l.sales_order_external_id
where s.status is distinct from 'succeeded' or s.payload_hash <> c.content_hash
order by l.purchase_order_date, l.purchase_order_number, l.item_sequence_number
"""

# Per line decision for POs that have a sales order and no acknowledgement yet. Stock is
# allocated across POs in the order Amazon placed them: a running sum of earlier demand for the
# same item at the same location is subtracted from what NetSuite says is available.
ACKNOWLEDGEMENT_LINES = f"""
with po_state as (
    select purchase_order_number, bool_or(item_id is not null) as has_mapped_line
    from orders.purchase_order_line_resolution
    group by purchase_order_number
),
pending as (
    select r.*,
           -- pending with a transaction id: refused in a request with other orders
           coalesce(ack.status = 'pending' and ack.external_ref is not null, false)
               as refused_with_others
    from orders.purchase_order_line_resolution r
    join po_state using (purchase_order_number)
    left join ops.submissions so
        on so.channel = '{SALES_ORDER_CHANNEL}'
       and so.submission_key = r.sales_order_external_id and so.status = 'succeeded'
    left join ops.submissions ack
        on ack.submission_key = r.purchase_order_number
       and ack.channel = case r.program when 'RP' then '{ACK_CHANNELS["RP"]}'
                                        else '{ACK_CHANNELS["DF"]}' end
    -- not answered yet; answered without Amazon ever taking it (no transaction id: the call
    -- failed after its retries, or the run died before it could record the outcome); or
    -- refused in a request with other orders (pending again: it goes alone)
    where (ack.submission_key is null
           or ack.status = 'pending'
           or (ack.status = 'failed' and ack.external_ref is null))
      -- only orders still waiting for an answer (acknowledged elsewhere = not ours to answer)
      and r.purchase_order_state in ('New', 'NEW')
      -- a PO of only unknown ASINs gets no sales order but must still be answered (rejected)
      and (so.submission_key is not null or not po_state.has_mapped_line)
      and ((r.program = 'RP' and ?) or (r.program = 'DF' and ?))
      -- an empty catalogue means it was never read, not that every product is unknown
      and exists (select 1 from raw.netsuite_items)
),
allocated as (
    select p.*,
        greatest(coalesce(st.quantity_available, 0) - coalesce(sum(p.ordered_quantity) over (
            partition by p.item_id, p.location_id
            order by p.purchase_order_date, p.purchase_order_number, p.item_sequence_number
            rows between unbounded preceding and 1 preceding), 0), 0) as available_for_line
    from pending p
    left join raw.netsuite_item_stock st
        on st.item_id = p.item_id and st.location_id = p.location_id
),
decided as (
    select *,
        case when item_id is null or item_inactive then 0
             else least(ordered_quantity, available_for_line) end as accepted_quantity
    from allocated
)
select
    purchase_order_number, program, region, vendor_code, ship_from_party_id, item_sequence_number,
    asin, vendor_sku, ordered_quantity, unit_of_measure, unit_size, net_cost, currency,
    sales_order_external_id, refused_with_others, accepted_quantity,
    case when item_id is null or item_inactive then ordered_quantity
         when is_backorder_allowed then 0
         else ordered_quantity - accepted_quantity end as rejected_quantity,
    case when item_id is not null and not item_inactive and is_backorder_allowed
         then ordered_quantity - accepted_quantity else 0 end as backordered_quantity,
    case when item_id is null then 'InvalidProductIdentifier'
         when item_inactive then 'ObsoleteProduct'
         when accepted_quantity < ordered_quantity and not is_backorder_allowed
             then 'TemporarilyUnavailable' end as rejection_reason,
    -- DF is fill-or-kill: the whole order ships or the whole order is rejected.
    bool_and(item_id is not null and accepted_quantity = ordered_quantity)
        over (partition by purchase_order_number) as df_order_fillable,
    case when bool_or(item_id is null) over (partition by purchase_order_number) then '02'
         when bool_and(item_id is not null and accepted_quantity = ordered_quantity)
              over (partition by purchase_order_number) then '00'
         else '03' end as df_status_code
from decided
order by purchase_order_number, item_sequence_number
"""


def sales_order_lines_to_sync(conn: duckdb.DuckDBPyConnection) -> list[dict]:
    return _records(conn.execute(SALES_ORDERS_TO_SYNC))


def iter_sales_order_lines_to_sync(
    conn: duckdb.DuckDBPyConnection, chunk_rows: int = 1000
) -> Iterator[dict]:
    """`sales_order_lines_to_sync`, converted to Python `chunk_rows` at a time (the query runs
    once, set-based; turning its rows into dicts is what takes the time), on a cursor of its
    own so that `conn` stays free for the writes made while the rows are consumed."""
    cursor = conn.cursor()
    try:
        cursor.execute(SALES_ORDERS_TO_SYNC)
        names = [d[0] for d in cursor.description]
        while rows := cursor.fetchmany(chunk_rows):
            for row in rows:
                yield dict(zip(names, row, strict=True))
    finally:
        cursor.close()


def acknowledgement_lines(conn: duckdb.DuckDBPyConnection, rules: OrderRules) -> list[dict]:
    cursor = conn.execute(
        ACKNOWLEDGEMENT_LINES, [rules.auto_acknowledge_rp, rules.auto_acknowledge_df]
    )
    return _records(cursor)


def _records(cursor: duckdb.DuckDBPyConnection) -> list[dict]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


# Amazon cancels a line by setting its quantity to zero (RP), or a whole DF order by its state.
# A cancelled line is never sent in a sales order upsert (there is nothing to fulfil), so a
# sales order created before the cancellation still has it open: it is closed in NetSuite, once
# per set of cancelled lines (the ledger keeps the set's hash). Closed and cancelled POs are
# outside the resolution view, so this reads the landed PO itself.
SALES_ORDER_CANCELLATION_CHANNEL = "netsuite.salesOrder.cancellation"
CANCELLED_SALES_ORDER_LINES = f"""
with cancelled as (
    select p.purchase_order_number, p.program, p.vendor_code, so.submission_key,
           so.external_ref as sales_order_id,
           list(l.item_sequence_number order by l.item_sequence_number) as item_sequences,
           md5(string_agg(l.item_sequence_number, ',' order by l.item_sequence_number))
               as cancellation_hash
    from raw.amazon_purchase_orders p
    join raw.amazon_purchase_order_lines l using (purchase_order_number)
    join ops.submissions so
      on so.channel = '{SALES_ORDER_CHANNEL}' and so.status = 'succeeded'
     and so.submission_key = 'amzn-' || lower(p.program) || '-' || p.vendor_code || '-'
                             || p.purchase_order_number
    where l.ordered_quantity = 0 or p.purchase_order_state = 'CANCELLED'
    group by all
)
select c.* from cancelled c
left join ops.submissions done
  on done.channel = '{SALES_ORDER_CANCELLATION_CHANNEL}' and done.submission_key = c.submission_key
where done.status is distinct from 'succeeded' or done.payload_hash <> c.cancellation_hash
order by c.purchase_order_number
"""


def cancelled_sales_order_lines(conn: duckdb.DuckDBPyConnection) -> list[dict]:
    return _records(conn.execute(CANCELLED_SALES_ORDER_LINES))
