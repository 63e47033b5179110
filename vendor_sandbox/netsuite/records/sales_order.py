"""Sales orders: approval, lines, closing, and the status that follows fulfilment and billing.

`orderStatus` A (Pending Approval) / B (Pending Fulfillment) is what a client sets; `status`
(A..H) is derived from the lines: fulfilments move an approved order to D/E/F, invoices to G,
closing every line to H. Closed lines cannot be fulfilled.
"""

from __future__ import annotations

from typing import Any

from vendor_sandbox.netsuite.errors import invalid_content, user_error
from vendor_sandbox.netsuite.records.base import (
    Books,
    Record,
    RecordType,
    Transform,
    enum_id,
    money,
    quantity,
    ref_id,
    reference,
)
from vendor_sandbox.netsuite.records.billing import invoice_from_order
from vendor_sandbox.netsuite.records.fields import (
    ITEM_LINE,
    LINE_CUSTOM,
    TRANSACTION_BODY,
    TRANSACTION_CUSTOM_BODY,
    RecordFields,
    Sublist,
    address,
    day,
    enum,
    flag,
    integer,
    numeric,
    select,
    text,
)
from vendor_sandbox.netsuite.records.fulfilment import fulfilment_from_order
from vendor_sandbox.netsuite.records.order_state import (
    STATUS_NAMES,
    refresh,
)

ORDER_STATUS_NAMES = {"A": "Pending Approval", "B": "Pending Fulfillment"}

SALES_ORDER_FIELDS = RecordFields(
    body=(
        *TRANSACTION_BODY,
        select("entity", "Customer", "customer"),
        text("otherRefNum", "PO/Check Number"),
        day("shipDate", "Ship Date"),
        select("shipMethod", "Ship Via", "shipItem"),
        select("terms", "Terms", "term"),
        enum("orderStatus", "Order Status", tuple(ORDER_STATUS_NAMES)),
        enum("status", "Status", tuple(STATUS_NAMES), read_only=True),
        numeric("subtotal", "Subtotal", read_only=True),
        numeric("taxTotal", "Tax", read_only=True),
        *TRANSACTION_CUSTOM_BODY,
    ),
    sublists=(
        Sublist(
            "item",
            "Items",
            key="line",
            fields=(
                integer("line", "Line"),
                *ITEM_LINE,
                day("expectedShipDate", "Expected Ship Date"),
                enum("itemType", "Item Type"),
                flag("isClosed", "Closed"),
                flag("isOpen", "Open", read_only=True),
                numeric("quantityFulfilled", "Fulfilled", read_only=True),
                numeric("quantityBilled", "Invoiced", read_only=True),
                numeric("quantityCommitted", "Committed", read_only=True),
                numeric("quantityBackOrdered", "Back Ordered", read_only=True),
                numeric("quantityAvailable", "Available", read_only=True),
                numeric("quantityOnHand", "On Hand", read_only=True),
                *LINE_CUSTOM,
            ),
        ),
    ),
    subrecords=(address("shippingAddress", "Ship To"), address("billingAddress", "Bill To")),
)


class SalesOrder(RecordType):
    name = "salesOrder"
    title = "Sales Order"
    counter = "transaction"
    counter_start = 5001
    fields = SALES_ORDER_FIELDS
    transaction_code = "SalesOrd"

    @property
    def transforms(self) -> dict[str, Transform]:

        return {"itemFulfillment": fulfilment_from_order, "invoice": invoice_from_order}

    def build(self, books: Books, body: dict[str, Any], record_id: str) -> Record:
        customer = books.require("customer", body.get("entity"), "entity", "Customer")
        lines = (
            (body.get("item") or {}).get("items") if isinstance(body.get("item"), dict) else None
        )
        if not lines:
            raise user_error("You must enter at least one line item for this transaction.", "item")
        record = super().build(books, body, record_id)
        record["entity"] = reference(customer)
        record["orderStatus"] = _order_status(
            body.get("orderStatus"), books.options["default_order_status"]
        )
        record.setdefault("tranId", f"SO{books.next_id('tranid.salesOrder', 1)}")
        record.setdefault("tranDate", _today())
        if record.get("location") is not None:
            record["location"] = reference(
                books.require("location", record["location"], "location", "Location"), "name"
            )
        record["item"]["items"] = [
            self._line(books, line, f"item.items[{i}]")
            for i, line in enumerate(record["item"]["items"])
        ]
        return refresh(record)

    def revise(
        self, books: Books, record: Record, body: dict[str, Any], replace: set[str]
    ) -> Record:
        before = {int(line["line"]): line for line in record["item"]["items"]}
        revised = super().revise(books, record, body, replace)
        if "orderStatus" in body:
            revised["orderStatus"] = _order_status(body["orderStatus"], "A")
            if revised["orderStatus"]["id"] == "A" and any(
                float(line.get("quantityFulfilled", 0)) for line in before.values()
            ):
                raise user_error("An order with fulfilled lines cannot return to Pending Approval.")
        after = {int(line["line"]) for line in revised["item"]["items"]}
        for number, line in before.items():
            if number not in after and float(line.get("quantityFulfilled", 0)) > 0:
                raise user_error(
                    f"You cannot remove line {number}: it has already been fulfilled.", "item"
                )
        revised["item"]["items"] = [
            self._line(books, line, f"item.items[{i}]", before.get(int(line["line"])))
            for i, line in enumerate(revised["item"]["items"])
        ]
        if revised.get("entity") != record.get("entity"):
            revised["entity"] = reference(
                books.require("customer", revised["entity"], "entity", "Customer")
            )
        return refresh(revised)

    def _line(
        self, books: Books, line: dict[str, Any], path: str, before: Record | None = None
    ) -> Record:
        item = books.require("inventoryItem", line.get("item"), f"{path}.item", "Item")
        qty = quantity(line.get("quantity", 1), f"{path}.quantity")
        if qty <= 0:
            raise invalid_content("Quantity must be greater than zero.", f"{path}.quantity")
        fulfilled = float(line.get("quantityFulfilled", 0))
        if before is not None and fulfilled > 0:
            if ref_id(before["item"]) != str(item["id"]):
                raise user_error(f"You cannot change the item of fulfilled line {line['line']}.")
            if qty < fulfilled:
                raise user_error(
                    f"Quantity on line {line['line']} cannot be less than the quantity "
                    f"already fulfilled ({fulfilled:g}).",
                    f"{path}.quantity",
                )
        rate = money(line["rate"]) if line.get("rate") is not None else money(item["basePrice"])
        out = dict(line)
        out |= {
            "item": reference(item, "itemId"),
            "quantity": qty,
            "rate": rate,
            "amount": money(rate * qty),
            "isClosed": bool(line.get("isClosed", False)),
            "quantityFulfilled": fulfilled,
            "quantityBilled": float(line.get("quantityBilled", 0)),
        }
        if line.get("location") is not None:
            out["location"] = reference(
                books.require("location", line["location"], f"{path}.location", "Location"),
                "name",
            )
        return out


def _order_status(value: Any, default: str) -> dict[str, str]:
    status = enum_id(value) or default
    if status not in ORDER_STATUS_NAMES:
        raise invalid_content(f"Invalid orderStatus {status!r}: use A or B.", "orderStatus")
    return {"id": status, "refName": ORDER_STATUS_NAMES[status]}


def _today() -> str:
    import datetime as dt

    return dt.date.today().isoformat()
