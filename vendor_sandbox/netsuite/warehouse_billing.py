"""What the simulated warehouse's billing clerk does to an invoice after the transform.

Invoices of EU vendor codes carry VAT; clean orders take turns at a freight charge and a header
discount (on a DF invoice, a defect: Amazon's DF invoice has no allowances); one scenario keys a
wrong rate. Every change is priced as NetSuite prices it (`price_invoice`).
"""

from __future__ import annotations

from typing import Any

from vendor_sandbox.netsuite.records.base import Books, Record, money
from vendor_sandbox.netsuite.records.billing import price_invoice
from vendor_sandbox.world import World

VAT_RATES = {"EU": 19.0}  # Germany's standard rate, for the EU marketplace's vendor codes
FREIGHT_CHARGE = 35.0  # agreed prepaid freight billed on the invoice (RP)
DF_FREIGHT_OUT = 5.95
DISCOUNT_SHARE = 0.02


def bill_terms(
    books: Books, world: World, order: Record, plan: dict[str, Any], invoice: Record
) -> None:
    """What the billing clerk adds to the header: VAT in the EU, agreed freight, a discount.

    Clean orders take turns: RP freight, RP discount; DF freight out, and a DF discount (which
    Amazon's DF invoice cannot carry, so the integration must hold it).
    """
    vendor = next(
        (v for v in world.vendors if v.vendor_code == order.get("custbody_amazon_vendor_code")),
        None,
    )
    terms: dict[str, Any] = {}
    if vendor is not None and vendor.region in VAT_RATES:
        terms["taxRate"] = VAT_RATES[vendor.region]  # stands in for SuiteTax's tax code
    if plan["scenario"] == "clean" and plan["batches"] == 0:
        ordinal = int(books.next_id(f"warehouse.terms.{plan['program']}", 0))
        subtotal = sum(float(line["amount"]) for line in invoice["item"]["items"])
        if ordinal % 2 == 0:
            terms["shippingCost"] = FREIGHT_CHARGE if plan["program"] == "RP" else DF_FREIGHT_OUT
            plan["defects"].append({"kind": "freight_charge", "invoice": invoice["tranId"]})
        else:
            terms["discountTotal"] = -money(subtotal * DISCOUNT_SHARE)
            kind = "df_discount" if plan["program"] == "DF" else "invoice_discount"
            plan["defects"].append({"kind": kind, "invoice": invoice["tranId"]})
    if terms:
        invoice |= terms
        books.put("invoice", price_invoice(invoice))


def misprice(books: Books, invoice: Record) -> None:
    """The clerk keyed the wrong rate: 5 % above the order price on the first line."""
    line = invoice["item"]["items"][0]
    line["rate"] = money(float(line["rate"]) * 1.05)
    books.put("invoice", price_invoice(invoice))
