"""Land purchase order payloads in the warehouse, set-based, with quarantine for bad ones.

Payloads arrive as JSON in Amazon's shapes (RP `Order` from vendorOrders, DF `Order` from
vendorDirectFulfillmentOrders 2021-12-28). They are loaded into a staging table as JSON and
flattened, validated and merged by SQL: one statement per table however many POs arrive. A PO with
a missing field or an impossible quantity goes to `raw.amazon_quarantined_payloads` with the
reason, and the rest of the batch goes through.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import duckdb

# Header fields per program, as JSON paths into the payload.
_HEADER = {
    "RP": {
        "vendor_code": "$.orderDetails.sellingParty.partyId",
        "state": "$.purchaseOrderState",
        "order_type": "$.orderDetails.purchaseOrderType",
        "order_date": "$.orderDetails.purchaseOrderDate",
        "changed_date": "$.orderDetails.purchaseOrderChangedDate",
        "state_changed_date": "$.orderDetails.purchaseOrderStateChangedDate",
        "ship_window": "$.orderDetails.shipWindow",
        "delivery_window": "$.orderDetails.deliveryWindow",
        "ship_to": "$.orderDetails.shipToParty.partyId",
        "ship_from": None,
        "customer_order_number": None,
        "ship_method": None,
        "required_ship_date": None,
    },
    "DF": {
        "vendor_code": "$.orderDetails.sellingParty.partyId",
        "state": "$.orderDetails.orderStatus",
        "order_type": None,
        "order_date": "$.orderDetails.orderDate",
        "changed_date": None,
        "state_changed_date": None,
        "ship_window": None,
        "delivery_window": None,
        "ship_to": None,
        "ship_from": "$.orderDetails.shipFromParty.partyId",
        "customer_order_number": "$.orderDetails.customerOrderNumber",
        "ship_method": "$.orderDetails.shipmentDetails.shipMethod",
        "required_ship_date": "$.orderDetails.shipmentDetails.shipmentDates.requiredShipDate",
    },
}
# Line fields per program, as JSON paths into one element of orderDetails.items.
_LINE = {
    "RP": {
        "asin": "$.amazonProductIdentifier",
        "quantity": "$.orderedQuantity.amount",
        "uom": "$.orderedQuantity.unitOfMeasure",
        "unit_size": "$.orderedQuantity.unitSize",
        "backorder": "$.isBackOrderAllowed",
        "cost": "$.netCost.amount",
        "currency": "$.netCost.currencyCode",
        "list_price": "$.listPrice.amount",
    },
    "DF": {
        "asin": "$.buyerProductIdentifier",
        "quantity": "$.orderedQuantity.amount",
        "uom": "$.orderedQuantity.unitOfMeasure",
        "unit_size": None,
        "backorder": None,
        "cost": "$.netPrice.amount",
        "currency": "$.netPrice.currencyCode",
        "list_price": None,
    },
}


@dataclass(frozen=True)
class LandingResult:
    received: int
    changed: int
    unchanged: int
    quarantined: int


def _text(path: str | None, column: str = "payload") -> str:
    return f"json_extract_string({column}, '{path}')" if path else "null"


# No purchase order line asks for a million units; a larger amount is a corrupt payload (and
# would overflow the line's integer quantity once cases are converted to eaches).
MAX_ORDERED_QUANTITY = 1_000_000


def _line_problems(program: str) -> str:
    """One row per line with what is wrong with it (null = nothing), over `line_values`.

    Amounts are checked as the numbers they are in the JSON, before any cast: a cast to
    integer would round 1.5 to 2 and turn "abc" and 1e30 alike into a missing value.
    An RP line of quantity 0 is Amazon's own spelling of a cancelled line (`poItemState`
    Cancelled: "updated item quantity as zero") and lands, to close the sales order line; a
    DF order is fill or kill, so a DF line of zero units is a corrupt payload.
    """
    cost = "netCost" if program == "RP" else "netPrice"
    zero = (
        "when quantity_number = 0 then 'orderedQuantity.amount is 0: a Direct Fulfillment line "
        "orders at least one unit'"
        if program == "DF"
        else ""
    )
    return f"""
        select po, case
            when asin is null then 'item without product identifier'
            when sequence is null then 'item without itemSequenceNumber'
            when quantity_text is null then 'item without orderedQuantity.amount'
            when quantity_number is null
                then format('orderedQuantity.amount "{{}}" is not a number', quantity_text)
            when quantity_number < 0
                then format('negative orderedQuantity.amount {{}}', quantity_text)
            when quantity_number != floor(quantity_number)
                then format('orderedQuantity.amount {{}} is not a whole number', quantity_text)
            when quantity_number > {MAX_ORDERED_QUANTITY}
                then format('orderedQuantity.amount {{}} is out of range (more than {{}} units)',
                            quantity_text, {MAX_ORDERED_QUANTITY})
            {zero}
            when unit_size_text is not null and (try_cast(unit_size_text as double) is null
                    or try_cast(unit_size_text as double) < 1
                    or try_cast(unit_size_text as double)
                       != floor(try_cast(unit_size_text as double))
                    or try_cast(unit_size_text as double) > {MAX_ORDERED_QUANTITY})
                then format('orderedQuantity.unitSize {{}} is not a positive whole number',
                            unit_size_text)
            when cost_text is not null and cost is null
                then format('{cost} "{{}}" is not a decimal string', cost_text)
            when cost < 0 then format('negative {cost}.amount {{}}', cost_text)
            end as problem
        from line_values
    """


def land_purchase_orders(
    conn: duckdb.DuckDBPyConnection,
    payloads: list[dict[str, Any]],
    program: str,
    region: str,
    now: datetime | None = None,
) -> LandingResult:
    """Merge a batch of RP or DF order payloads into raw.amazon_purchase_order* tables."""
    if program not in _HEADER:
        raise ValueError(f"program must be RP or DF, not {program!r}")
    now = now or datetime.now(UTC)
    h, li = _HEADER[program], _LINE[program]
    conn.execute("create or replace temp table arrived (ordinal integer, payload json)")
    conn.executemany(
        "insert into arrived values (?, ?)",
        [(i, json.dumps(p, sort_keys=True)) for i, p in enumerate(payloads)],
    )
    # A PO can arrive twice in one batch (it changed between two pages of the pull): the later
    # copy is Amazon's latest word, and one PO must be one row whatever the batch holds.
    conn.execute(
        f"""
        create or replace temp table incoming as
        select payload from arrived
        qualify row_number() over (
            partition by coalesce({_text("$.purchaseOrderNumber")}, md5(payload::varchar))
            order by ordinal desc) = 1
        """
    )
    conn.execute(
        f"""
        create or replace temp table incoming_lines as
        select {_text("$.purchaseOrderNumber")} as po, unnest(
                   coalesce(from_json(json_extract(payload, '$.orderDetails.items'), '["json"]'),
                            []::json[])) as item
        from incoming
        """
    )
    unit_size = f"coalesce(try_cast({_text(li['unit_size'], 'item')} as integer), 1)"
    quantity = f"try_cast({_text(li['quantity'], 'item')} as integer)"
    conn.execute(
        f"""
        create or replace temp table incoming_headers as
        with checked as (
            select payload, md5(payload::varchar) as payload_hash,
                   {_text("$.purchaseOrderNumber")} as po,
                   {_text(h["vendor_code"])} as vendor_code,
                   {_text(h["state"])} as state,
                   try_cast({_text(h["order_date"])} as timestamptz) as order_date
            from incoming
        ), line_values as (
            select po, {_text("$.itemSequenceNumber", "item")} as sequence,
                   {_text(li["asin"], "item")} as asin,
                   {_text(li["quantity"], "item")} as quantity_text,
                   try_cast({_text(li["quantity"], "item")} as double) as quantity_number,
                   {_text(li["unit_size"], "item")} as unit_size_text,
                   {_text(li["cost"], "item")} as cost_text,
                   try_cast({_text(li["cost"], "item")} as decimal(18, 4)) as cost
            from incoming_lines
        ), line_problems as (
            select po, string_agg(distinct problem, '; ') as problem
            from (
                {_line_problems(program)}
                union all
                select po, format('itemSequenceNumber {{}} is on {{}} lines', sequence, count(*))
                from line_values where sequence is not null
                group by po, sequence having count(*) > 1
            ) where problem is not null group by po
        )
        select c.*, case
                when c.po is null then 'missing purchaseOrderNumber'
                when c.vendor_code is null then 'missing orderDetails.sellingParty.partyId'
                when c.state is null then 'missing order state'
                when c.order_date is null then 'missing or unparsable order date'
                when json_array_length(json_extract(c.payload, '$.orderDetails.items')) is null
                     or json_array_length(json_extract(c.payload, '$.orderDetails.items')) = 0
                    then 'order has no items'
                else lp.problem end as problem
        from checked c left join line_problems lp using (po)
        """
    )
    quarantined = conn.execute(
        """
        insert into raw.amazon_quarantined_payloads
        select ? || ' purchase order', coalesce(po, 'md5:' || payload_hash), problem, payload, ?, ?
        from incoming_headers where problem is not null
        on conflict (payload_kind, payload_key) do update set
            reason = excluded.reason, payload = excluded.payload,
            last_seen_at = excluded.last_seen_at
        returning 1
        """,
        [program, now, now],
    ).fetchall()
    # A PO that used to be bad and now arrives clean leaves quarantine.
    conn.execute(
        """delete from raw.amazon_quarantined_payloads
           where payload_kind = ? || ' purchase order'
             and payload_key in (select po from incoming_headers where problem is null)""",
        [program],
    )
    changed = conn.execute(
        f"""
        insert into raw.amazon_purchase_orders
        select h.po, ?, ?, h.vendor_code, h.state, {_text(h["order_type"])}, h.order_date,
               try_cast({_text(h["changed_date"])} as timestamptz),
               try_cast({_text(h["state_changed_date"])} as timestamptz),
               try_cast(split_part({_text(h["ship_window"])}, '--', 1) as timestamptz),
               coalesce(try_cast(split_part({_text(h["ship_window"])}, '--', 2) as timestamptz),
                        try_cast({_text(h["required_ship_date"])} as timestamptz)),
               try_cast(split_part({_text(h["delivery_window"])}, '--', 1) as timestamptz),
               try_cast(split_part({_text(h["delivery_window"])}, '--', 2) as timestamptz),
               {_text(h["ship_to"])}, {_text(h["ship_from"])},
               {_text(h["customer_order_number"])}, {_text(h["ship_method"])},
               h.payload_hash, ?, ?
        from incoming_headers h
        left join raw.amazon_purchase_orders p on p.purchase_order_number = h.po
        where h.problem is null and p.payload_hash is distinct from h.payload_hash
        on conflict (purchase_order_number) do update set
            purchase_order_state = excluded.purchase_order_state,
            purchase_order_type = excluded.purchase_order_type,
            changed_date = excluded.changed_date,
            state_changed_date = excluded.state_changed_date,
            ship_window_start = excluded.ship_window_start,
            ship_window_end = excluded.ship_window_end,
            delivery_window_start = excluded.delivery_window_start,
            delivery_window_end = excluded.delivery_window_end,
            ship_to_party_id = excluded.ship_to_party_id,
            ship_from_party_id = excluded.ship_from_party_id,
            ship_method = excluded.ship_method,
            payload_hash = excluded.payload_hash,
            last_changed_at = excluded.last_changed_at
        returning purchase_order_number
        """,
        [program, region, now, now],
    ).fetchall()
    changed_pos = [row[0] for row in changed]
    conn.execute(
        """insert into raw.amazon_purchase_order_versions
           select po, payload_hash, state, ?, payload from incoming_headers
           where problem is null
           on conflict (purchase_order_number, payload_hash) do nothing""",
        [now],
    )
    conn.execute(
        "delete from raw.amazon_purchase_order_lines "
        "where purchase_order_number in (select unnest(?::varchar[]))",
        [changed_pos],
    )
    conn.execute(
        f"""
        insert into raw.amazon_purchase_order_lines
        select l.po, {_text("$.itemSequenceNumber", "item")}, {_text(li["asin"], "item")},
               {_text("$.vendorProductIdentifier", "item")},
               {quantity} * (case when {_text(li["uom"], "item")} = 'Cases'
                                  then {unit_size} else 1 end),
               {_text(li["uom"], "item")}, try_cast({_text(li["unit_size"], "item")} as integer),
               coalesce(try_cast({_text(li["backorder"], "item")} as boolean), false),
               try_cast({_text(li["cost"], "item")} as decimal(18, 4)),
               {_text(li["currency"], "item")},
               try_cast({_text(li["list_price"], "item")} as decimal(18, 4))
        from incoming_lines l
        where l.po in (select unnest(?::varchar[]))
        """,
        [changed_pos],
    )
    # Counted after merging a PO's copies, so received = changed + unchanged + quarantined.
    received = conn.execute("select count(*) from incoming").fetchone()[0]
    return LandingResult(
        received=received,
        changed=len(changed_pos),
        unchanged=received - len(changed_pos) - len(quarantined),
        quarantined=len(quarantined),
    )
