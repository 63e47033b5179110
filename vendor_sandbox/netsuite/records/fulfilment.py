"""Item fulfilments: created only by transforming an approved sales order.

NetSuite pre-selects every open line for its remaining quantity; body lines override by
`orderLine` (`itemReceive: false` skips a line). Shipping more than remains, shipping a closed
line, or shipping more than the location has on hand is refused. Stock leaves the location when
the fulfilment is created (the sandbox has no separate pick/pack/ship stock step yet).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from vendor_sandbox.netsuite.errors import user_error
from vendor_sandbox.netsuite.records.base import (
    Books,
    Record,
    RecordType,
    custom_fields,
    quantity,
    ref_id,
    reference,
)
from vendor_sandbox.netsuite.records.fields import (
    LINE_CUSTOM,
    TRANSACTION_BODY,
    TRANSACTION_CUSTOM_BODY,
    RecordFields,
    Sublist,
    address,
    custom,
    day,
    enum,
    flag,
    integer,
    numeric,
    select,
    text,
)
from vendor_sandbox.netsuite.records.order_state import (
    refresh,
    requested_lines,
    require_approved,
)

SHIP_STATUS_NAMES = {"A": "Picked", "B": "Packed", "C": "Shipped"}

ITEM_FULFILLMENT_FIELDS = RecordFields(
    body=(
        *TRANSACTION_BODY,
        select("entity", "Customer", "customer"),
        select("createdFrom", "Created From", "salesOrder", read_only=True),
        enum("shipStatus", "Status", tuple(SHIP_STATUS_NAMES)),
        select("shipMethod", "Ship Via", "shipItem"),
        # The transform body's location for lines that name none (cross-subsidiary orders).
        select("inventoryLocation", "Inventory Location", "location"),
        day("pickedDate", "Picked Date"),
        day("packedDate", "Packed Date"),
        day("shippedDate", "Shipped Date"),
        *TRANSACTION_CUSTOM_BODY,
    ),
    sublists=(
        Sublist(
            "item",
            "Items",
            key="line",
            fields=(
                integer("line", "Line"),
                integer("orderLine", "Order Line"),
                select("item", "Item", "inventoryItem"),
                flag("itemReceive", "Fulfill"),
                numeric("quantity", "Quantity"),
                numeric("quantityRemaining", "Remaining", read_only=True),
                select("location", "Location", "location"),
                text("serialNumbers", "Serial/Lot Numbers"),
                *LINE_CUSTOM,
            ),
        ),
        Sublist(
            "package",
            "Packages",
            key=None,
            fields=(
                text("packageTrackingNumber", "Tracking Number"),
                numeric("packageWeight", "Weight (lb)"),
                text("packageDescr", "Package Contents"),
                text("packageCartonNumber", "Carton Number"),
                text("packageDetails", "Package Details"),
                # The warehouse's own package columns: carton dimensions, pallet, contents.
                *custom(
                    numeric("custpackage_length_in", "Length (in)"),
                    numeric("custpackage_width_in", "Width (in)"),
                    numeric("custpackage_height_in", "Height (in)"),
                    text("custpackage_pallet_sscc", "Pallet SSCC-18"),
                    text("custpackage_contents", "Carton Contents (orderLine:qty,...)"),
                ),
            ),
        ),
    ),
    subrecords=(address("shippingAddress", "Ship To"),),
)


class ItemFulfillment(RecordType):
    name = "itemFulfillment"
    title = "Item Fulfillment"
    counter = "transaction"
    counter_start = 5001
    fields = ITEM_FULFILLMENT_FIELDS
    transaction_code = "ItemShip"

    def build(self, books: Books, body: dict[str, Any], record_id: str) -> Record:
        raise user_error(
            "An item fulfillment can only be created from a sales order "
            "(POST salesOrder/{id}/!transform/itemFulfillment)."
        )


def fulfilment_from_order(books: Books, order: Record, body: dict[str, Any]) -> Record:
    require_approved(order, "fulfill")
    requested = requested_lines(body, order)
    shipped: list[Record] = []
    draw: dict[tuple[str, str], float] = {}
    for line in order["item"]["items"]:
        number = int(line["line"])
        wanted = requested.get(number)
        path = wanted["_path"] if wanted else f"item.items[orderLine={number}]"
        if wanted is not None and wanted.get("itemReceive") is False:
            continue
        remaining = float(line["quantity"]) - float(line.get("quantityFulfilled", 0))
        if line.get("isClosed"):
            if wanted is not None:
                raise user_error(f"Line {number} is closed and cannot be fulfilled.", path)
            continue
        qty = remaining
        if wanted is not None and wanted.get("quantity") is not None:
            qty = quantity(wanted["quantity"], f"{path}.quantity")
        if qty <= 0:
            continue
        if qty > remaining:
            raise user_error(
                f"You cannot fulfill {qty:g} on line {number}: only {remaining:g} remain.",
                f"{path}.quantity",
            )
        location_id = (
            ref_id((wanted or {}).get("location"))
            or ref_id(body.get("location"))
            or ref_id(body.get("inventoryLocation"))
            or ref_id(line.get("location"))
            or ref_id(order.get("location"))
        )
        location = books.require("location", location_id, f"{path}.location", "Location")
        item_id = str(line["item"]["id"])
        key = (item_id, str(location["id"]))
        draw[key] = draw.get(key, 0.0) + qty
        if books.options["enforce_stock"]:
            on_hand = float(books.stock(*key)["quantityOnHand"])
            if draw[key] > on_hand:
                raise user_error(
                    f"You have only {on_hand:g} available of item {line['item']['refName']} "
                    f"at location {location['name']}.",
                    path,
                )
        shipped.append(
            {
                "line": len(shipped) + 1,
                "orderLine": number,
                "item": line["item"],
                "itemReceive": True,
                "quantity": qty,
                "location": reference(location, "name"),
            }
            | custom_fields(wanted or {}, ("custcol",))
        )
    if not shipped:
        raise user_error("You must enter at least one line item for this transaction.", "item")
    for (item_id, location_id), qty in draw.items():
        entry = books.stock(item_id, location_id)
        entry["quantityOnHand"] = float(entry["quantityOnHand"]) - qty
        books.put_stock(entry)
    by_number = {int(line["line"]): line for line in order["item"]["items"]}
    for line in shipped:
        order_line = by_number[line["orderLine"]]
        order_line["quantityFulfilled"] = float(order_line["quantityFulfilled"]) + line["quantity"]
    books.put("salesOrder", refresh(order))
    ship_status = str(ref_id(body.get("shipStatus")) or "C")
    packages = (body.get("package") or {}).get("items") or []
    return {
        "tranId": f"IF{books.next_id('tranid.itemFulfillment', 1)}",
        "tranDate": body.get("tranDate") or dt.date.today().isoformat(),
        "entity": order["entity"],
        "createdFrom": {"id": str(order["id"]), "refName": f"Sales Order #{order['tranId']}"},
        "shipStatus": {"id": ship_status, "refName": SHIP_STATUS_NAMES.get(ship_status, "")},
        "item": {"items": shipped},
        "package": {"items": list(packages)},
        **{k: v for k, v in body.items() if k in ("memo", "externalId", "shipMethod")},
        **custom_fields(body, ("custbody",)),
    }
