"""Amazon invoice bodies from NetSuite invoice lines (RP vendorInvoices, DF payments).

Header amounts travel as Amazon expects them: NetSuite's shipping cost as a freight charge, its
discount as a `Discount` allowance (RP only: the DF invoice has no allowances), its SuiteTax total
as tax details with the rate derived from the taxable amount. NetSuite does not name the tax the
way Amazon does, so the type is the usual one of the PO's region (`TAX_TYPES`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

TAX_TYPES = {"NA": "ST", "EU": "VAT", "FE": "GST"}


def amount_text(value: Any) -> str:
    """An amount as Amazon's Money carries it: a decimal string of cents."""
    return format(Decimal(str(value or 0)).quantize(Decimal("0.01")), "f")


def midnight_utc(value: Any) -> str:
    """A day (date or ISO text) as Amazon's date-time: its midnight UTC."""
    day = value if not isinstance(value, str) else datetime.fromisoformat(value).date()
    return datetime(day.year, day.month, day.day, tzinfo=UTC).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class InvoiceAmounts:
    """One invoice's header arithmetic: total = lines + freight + discount (negative) + tax."""

    currency: str
    lines: Decimal
    freight: Decimal
    discount: Decimal
    tax: Decimal
    # The rate NetSuite charged (percent). Derived back from rounded cents instead, a small
    # invoice would tell Amazon 18.99 % for 19 % VAT.
    tax_rate: Decimal | None = None

    @classmethod
    def of(cls, lines: list[dict[str, Any]]) -> InvoiceAmounts:
        head = lines[0]
        return cls(
            head["po_currency"] or head["currency"],
            sum((Decimal(str(line["amount"])) for line in lines), Decimal(0)),
            Decimal(str(head["shipping_cost"] or 0)),
            Decimal(str(head["discount_total"] or 0)),
            Decimal(str(head["tax_total"] or 0)),
            None if head.get("tax_rate") is None else Decimal(str(head["tax_rate"])),
        )

    @property
    def total(self) -> Decimal:
        return self.lines + self.freight + self.discount + self.tax

    def money(self, amount: Any) -> dict[str, str]:
        return {"currencyCode": self.currency, "amount": amount_text(amount)}

    def tax_details(self, region: str) -> list[dict[str, Any]]:
        """The tax total as one tax detail, with its rate (percent) on the taxable amount."""
        if not self.tax:
            return []
        taxable = self.lines + self.freight + self.discount
        if self.tax_rate is not None:
            rate = self.tax_rate
        else:
            rate = (self.tax / taxable * 100).quantize(Decimal("0.01")) if taxable else Decimal(0)
        return [
            {
                "taxType": TAX_TYPES.get(region, "VAT"),
                "taxRate": format(rate.normalize(), "f"),
                "taxAmount": self.money(self.tax),
                "taxableAmount": self.money(taxable),
            }
        ]


def rp_invoice(lines: list[dict[str, Any]]) -> dict[str, Any]:
    """vendorInvoices Invoice: items at the PO net cost, header freight, discount and tax."""
    head = lines[0]
    amounts = InvoiceAmounts.of(lines)
    extras: dict[str, Any] = {}
    if amounts.freight:
        extras["chargeDetails"] = [
            {
                "type": "Freight",
                "description": "Freight",
                "chargeAmount": amounts.money(amounts.freight),
            }
        ]
    if amounts.discount:
        extras["allowanceDetails"] = [
            {
                "type": "Discount",
                "description": "Invoice discount",
                "allowanceAmount": amounts.money(-amounts.discount),
            }
        ]
    if taxes := amounts.tax_details(head["region"]):
        extras["taxDetails"] = taxes
    return extras | {
        "invoiceType": "Invoice",
        "id": head["tranid"],
        "referenceNumber": head["shipment_id"],
        "date": midnight_utc(head["trandate"]),
        "remitToParty": {"partyId": head["vendor_code"]},
        "shipToParty": {"partyId": head["ship_to_party_id"]},
        "invoiceTotal": amounts.money(amounts.total),
        "items": [
            {
                "itemSequenceNumber": int(line["item_sequence_number"]),
                "amazonProductIdentifier": line["asin"],
                "vendorProductIdentifier": line["vendor_sku"],
                "invoicedQuantity": {"amount": int(line["quantity"]), "unitOfMeasure": "Eaches"},
                "netCost": amounts.money(line["rate"]),
                "purchaseOrderNumber": head["po_number"],
            }
            for line in lines
        ],
    }


def df_invoice(lines: list[dict[str, Any]]) -> dict[str, Any]:
    """DF payments InvoiceDetail for one shipped DF order (freight out and tax; no allowances)."""
    head = lines[0]
    amounts = InvoiceAmounts.of(lines)
    extras: dict[str, Any] = {}
    if amounts.freight:
        extras["chargeDetails"] = [
            {"type": "FREIGHTOUT", "chargeAmount": amounts.money(amounts.freight)}
        ]
    if taxes := amounts.tax_details(head["region"]):
        extras["taxTotals"] = taxes
    return extras | {
        "invoiceNumber": head["tranid"],
        "invoiceDate": midnight_utc(head["trandate"]),
        "remitToParty": {"partyId": head["vendor_code"]},
        "shipFromParty": {"partyId": head["ship_from_party_id"]},
        "invoiceTotal": amounts.money(amounts.total),
        "items": [
            {
                "itemSequenceNumber": str(line["item_sequence_number"]),
                "buyerProductIdentifier": line["asin"],
                "vendorProductIdentifier": line["vendor_sku"],
                "invoicedQuantity": {"amount": int(line["quantity"]), "unitOfMeasure": "Each"},
                "netCost": amounts.money(line["rate"]),
                "purchaseOrderNumber": head["po_number"],
            }
            for line in lines
        ],
    }
