"""The documents Amazon prints for a Direct Fulfillment order: packing slips, customer invoices.

Both exist once the vendor has accepted the order (ACCEPTED, then SHIPPED): that is when Amazon
knows the order will ship from the vendor and renders what goes into the box. A packing slip
only for orders that ask for one (`isPslipRequired`). The models are silent on which orders
carry a customer invoice (the docs tie it to marketplaces that require one in the box): the
sandbox renders one for every accepted order so clients can exercise the calls. Contents are
small deterministic PDFs, base64 as on the wire; a customer invoice names the customer order,
lines and totals, never the ship-to address.
"""

from __future__ import annotations

import base64
from decimal import Decimal
from typing import Any

ACCEPTED_STATES = ("ACCEPTED", "SHIPPED")


def _pdf(title: str, lines: list[str]) -> str:
    text = "\n".join(f"% {line}" for line in [title, *lines])
    pdf = (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\n"
        + text.encode()
        + b"\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )
    return base64.b64encode(pdf).decode()


def has_packing_slip(doc: dict[str, Any]) -> bool:
    details = doc["order"]["orderDetails"]
    return bool(details["shipmentDetails"].get("isPslipRequired")) and (
        details["orderStatus"] in ACCEPTED_STATES
    )


def packing_slip(doc: dict[str, Any]) -> dict[str, Any]:
    po = doc["order"]["purchaseOrderNumber"]
    return {
        "purchaseOrderNumber": po,
        "content": _pdf(f"packing slip {po}", []),
        "contentType": "application/pdf",
    }


def has_customer_invoice(doc: dict[str, Any]) -> bool:
    return doc["order"]["orderDetails"]["orderStatus"] in ACCEPTED_STATES


def customer_invoice(doc: dict[str, Any]) -> dict[str, Any]:
    order = doc["order"]
    details = order["orderDetails"]
    lines, total, currency = [], Decimal(0), ""
    for item in details["items"]:
        price = item["netPrice"]
        amount = Decimal(price["amount"]) * int(item["orderedQuantity"]["amount"])
        total += amount
        currency = price.get("currencyCode") or currency
        lines.append(
            f"{item.get('buyerProductIdentifier', '')} {item.get('title', '')} "
            f"x{item['orderedQuantity']['amount']} {amount} {currency}"
        )
    lines.append(f"total {total} {currency}")
    title = f"customer invoice {details['customerOrderNumber']} {details['orderDate']}"
    return {"purchaseOrderNumber": order["purchaseOrderNumber"], "content": _pdf(title, lines)}
