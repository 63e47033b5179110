"""Request bodies of the order sync: NetSuite sales orders and Amazon acknowledgements.

Pure functions from planned rows to the official payload shapes (NetSuite salesOrder record;
vendorOrders SubmitAcknowledgementRequest; DF 2021-12-28 SubmitAcknowledgementRequest).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from itertools import groupby
from typing import Any

# NetSuite salesOrder.orderStatus: A = Pending Approval, B = Pending Fulfillment.
PENDING_APPROVAL, PENDING_FULFILLMENT = "A", "B"

DF_STATUS_DESCRIPTIONS = {
    "00": "Shipping 100 percent of ordered product",
    "02": "Canceled due to missing/invalid SKU",
    "03": "Canceled out of stock",
}


def _money(amount: Decimal | float | None) -> str | None:
    return None if amount is None else format(Decimal(str(amount)).quantize(Decimal("0.01")), "f")


def sales_order_body(
    lines: list[dict[str, Any]],
    auto_acknowledge: bool,
    shipping_address: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One NetSuite sales order for one PO's mapped lines (all rows share the PO)."""
    head = lines[0]
    body: dict[str, Any] = {
        "externalId": head["sales_order_external_id"],
        "entity": {"id": str(head["customer_id"])},
        "otherRefNum": head["purchase_order_number"],
        "tranDate": head["purchase_order_date"].date().isoformat(),
        "location": {"id": str(head["location_id"])},
        "orderStatus": PENDING_FULFILLMENT if auto_acknowledge else PENDING_APPROVAL,
        "memo": f"Amazon {head['program']} PO {head['purchase_order_number']} "
        f"for vendor code {head['vendor_code']}",
        "custbody_amazon_vendor_code": head["vendor_code"],
        "custbody_amazon_program": head["program"],
        "item": {
            "items": [
                {
                    # Keyed lines: an upsert then updates these lines in place instead of
                    # replacing the sublist, which NetSuite refuses once a line is fulfilled.
                    "line": _line_number(line["item_sequence_number"]),
                    "item": {"id": str(line["item_id"])},
                    "quantity": int(line["ordered_quantity"]),
                    # Amazon pays the PO cost; the invoice must carry it, so the order does too.
                    "rate": float(
                        line["net_cost"] if line["net_cost"] is not None else line["netsuite_price"]
                    ),
                    "location": {"id": str(line["location_id"])},
                    "custcol_amazon_item_sequence": line["item_sequence_number"],
                    "custcol_amazon_asin": line["asin"],
                }
                for line in lines
            ]
        },
    }
    if head.get("ship_window_end") is not None:
        body["shipDate"] = head["ship_window_end"].date().isoformat()
    if shipping_address:
        body["shippingAddress"] = {
            "addressee": shipping_address.get("name"),
            "attention": shipping_address.get("attention"),
            "addr1": shipping_address.get("addressLine1"),
            "addr2": shipping_address.get("addressLine2"),
            "city": shipping_address.get("city"),
            "state": shipping_address.get("stateOrRegion"),
            "zip": shipping_address.get("postalCode"),
            "country": shipping_address.get("countryCode"),
        }
    return body


def keep_cancelled_lines(body: dict[str, Any], previous: dict[str, Any] | None) -> dict[str, Any]:
    """Send, closed, the lines an earlier upsert sent that Amazon has cancelled since.

    An upsert replaces the sublists it sends, so a line left out would be deleted, and with it
    its history (NetSuite refuses that once a line is fulfilled). A cancelled line stays on the
    order, closed; every later upsert of the order keeps it so.
    """
    if not previous:
        return body
    sent = {int(line["line"]) for line in previous.get("item", {}).get("items", [])}
    current = {int(line["line"]) for line in body["item"]["items"]}
    closed = [{"line": number, "isClosed": True} for number in sorted(sent - current)]
    return {**body, "item": {"items": body["item"]["items"] + closed}}


def _line_number(item_sequence_number: str) -> int:
    digits = "".join(ch for ch in str(item_sequence_number) if ch.isdigit())
    return int(digits) if digits else 0


def _quantity(eaches: int, line: dict[str, Any]) -> dict[str, Any]:
    # Answer in the unit Amazon ordered in; a case quantity is whole cases of unitSize eaches.
    if line.get("unit_of_measure") == "Cases" and (line.get("unit_size") or 1) > 1:
        return {
            "amount": eaches // line["unit_size"],
            "unitOfMeasure": "Cases",
            "unitSize": line["unit_size"],
        }
    return {"amount": eaches, "unitOfMeasure": "Eaches"}


def rp_acknowledgement(
    lines: list[dict[str, Any]], acknowledged_at: datetime, scheduled_ship_date: datetime | None
) -> dict[str, Any]:
    """One OrderAcknowledgement: per line an Accepted entry plus Backordered/Rejected remainder."""
    head = lines[0]
    items = []
    for line in lines:
        entries = []
        for code, quantity in (
            ("Accepted", line["accepted_quantity"]),
            ("Backordered", line["backordered_quantity"]),
            ("Rejected", line["rejected_quantity"]),
        ):
            if quantity <= 0 and not (code == "Rejected" and line["ordered_quantity"] == 0):
                continue
            entry: dict[str, Any] = {
                "acknowledgementCode": code,
                "acknowledgedQuantity": _quantity(int(quantity), line),
            }
            if code == "Rejected":
                entry["rejectionReason"] = line["rejection_reason"] or "TemporarilyUnavailable"
            elif scheduled_ship_date is not None:
                entry["scheduledShipDate"] = scheduled_ship_date.isoformat()
            entries.append(entry)
        item: dict[str, Any] = {
            "itemSequenceNumber": line["item_sequence_number"],
            "amazonProductIdentifier": line["asin"],
            "vendorProductIdentifier": line["vendor_sku"],
            "orderedQuantity": _quantity(int(line["ordered_quantity"]), line),
            "itemAcknowledgements": entries,
        }
        if line["net_cost"] is not None:
            item["netCost"] = {"currencyCode": line["currency"], "amount": _money(line["net_cost"])}
        items.append(item)
    return {
        "purchaseOrderNumber": head["purchase_order_number"],
        "sellingParty": {"partyId": head["vendor_code"]},
        "acknowledgementDate": acknowledged_at.isoformat(),
        "items": items,
    }


def df_acknowledgement(lines: list[dict[str, Any]], acknowledged_at: datetime) -> dict[str, Any]:
    """Fill or kill: the whole DF order accepted ("00") or rejected with the reason code."""
    head = lines[0]
    code = head["df_status_code"]
    return {
        "purchaseOrderNumber": head["purchase_order_number"],
        "vendorOrderNumber": head["sales_order_external_id"],
        "acknowledgementDate": acknowledged_at.isoformat(),
        "acknowledgementStatus": {"code": code, "description": DF_STATUS_DESCRIPTIONS[code]},
        "sellingParty": {"partyId": head["vendor_code"]},
        "shipFromParty": {"partyId": head["ship_from_party_id"]},
        "itemAcknowledgements": [
            {
                "itemSequenceNumber": line["item_sequence_number"],
                "buyerProductIdentifier": line["asin"],
                "vendorProductIdentifier": line["vendor_sku"],
                "acknowledgedQuantity": {
                    "amount": int(line["ordered_quantity"]),
                    "unitOfMeasure": "Each",
                },
            }
            for line in lines
        ],
    }


def by_purchase_order(rows: Iterable[dict[str, Any]]) -> Iterable[list[dict[str, Any]]]:
    """Group planned rows (already ordered by PO) into one list per purchase order."""
    for _, group in groupby(rows, key=lambda row: row["purchase_order_number"]):
        yield list(group)
