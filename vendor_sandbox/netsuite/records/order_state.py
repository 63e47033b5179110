"""A sales order's state as billing and fulfilment read it: its derived status, whether it may
be transformed, and which of its lines a transform body asks for.

Its own module so the sales order (which transforms into fulfilments and invoices) and those
transforms (which check the order) do not import each other.
"""

from __future__ import annotations

from typing import Any

from vendor_sandbox.netsuite.errors import invalid_content, user_error
from vendor_sandbox.netsuite.records.base import Record, money

STATUS_NAMES = {
    "A": "Pending Approval",
    "B": "Pending Fulfillment",
    "C": "Cancelled",
    "D": "Partially Fulfilled",
    "E": "Pending Billing/Partially Fulfilled",
    "F": "Pending Billing",
    "G": "Billed",
    "H": "Closed",
}


def derive_status(order: Record) -> str:
    if order["orderStatus"]["id"] == "A":
        return "A"
    lines = order["item"]["items"]
    fulfilled = sum(float(line.get("quantityFulfilled", 0)) for line in lines)
    billed = sum(float(line.get("quantityBilled", 0)) for line in lines)
    still_open = any(
        not line.get("isClosed")
        and float(line.get("quantityFulfilled", 0)) < float(line["quantity"])
        for line in lines
    )
    if fulfilled == 0:
        return "B" if still_open else "H"
    if still_open:
        return "E" if fulfilled > billed else "D"
    return "F" if fulfilled > billed else "G"


def refresh(order: Record) -> Record:
    lines = order["item"]["items"]
    order["subtotal"] = money(sum(float(line["amount"]) for line in lines))
    order["total"] = order["subtotal"]
    status = derive_status(order)
    order["status"] = {"id": status, "refName": STATUS_NAMES[status]}
    return order


def require_approved(order: Record, action: str) -> None:
    status = order["status"]["id"]
    if status == "A":
        raise user_error(f"You can not {action} a sales order that is pending approval.")
    if status in ("C", "H"):
        raise user_error(f"You can not {action} a sales order that is {STATUS_NAMES[status]}.")


def requested_lines(body: dict[str, Any], order: Record) -> dict[int, dict[str, Any]]:
    """Transform body lines by `orderLine`; unknown order lines are refused."""
    known = {int(line["line"]) for line in order["item"]["items"]}
    requested: dict[int, dict[str, Any]] = {}
    items = (body.get("item") or {}).get("items") or []
    for i, line in enumerate(items):
        try:
            number = int(line["orderLine"])
        except (KeyError, TypeError, ValueError):
            raise invalid_content(
                "Please enter value(s) for: orderLine", f"item.items[{i}].orderLine"
            ) from None
        if number not in known:
            raise invalid_content(
                f"Invalid orderLine {number}: the order has no such line.",
                f"item.items[{i}].orderLine",
            )
        requested[number] = line | {"_path": f"item.items[{i}]"}
    return requested
