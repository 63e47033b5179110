"""Valid claims settled on both sides: the credit note Amazon gets, the memo NetSuite gets.

The bodies are pure and checked against the product's SP-API models; the settlement runs over
HTTP against the sandbox (Amazon and NetSuite) from a scratch warehouse whose
`finance.dispute_credit_note_lines` is written by hand, with the claim Amazon took and the
invoice it was taken on put into the sandbox's Amazon beforehand.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from vendor_pipelines.amazon.models.invoices import InvoiceType, SubmitInvoicesRequest
from vendor_pipelines.disputes.credit_notes import credit_memo, rp_credit_note

SHORTAGE_LINE = {
    "case_id": "SC-INV-1003SC",
    "credit_note_id": "CN-SC-INV-1003SC",
    "credit_memo_external_id": "AMZ-CM-SC-INV-1003SC",
    "case_class": "SHORTAGE",
    "debit_note_number": "INV-1003SC",
    "reference_invoice_number": "INV-1003",
    "vendor_code": "VENDA",
    "customer_id": "1001",
    "currency": "USD",
    "credit_date": date(2026, 5, 28),
    "asin": "B0TEST0001",
    "vendor_sku": "SKU-1",
    "item_id": "301",
    "units": 1,
    "unit_amount": Decimal("12.50"),
    "amount": Decimal("12.50"),
    "root_cause": "short_packed_carton",
}
PRICE_LINE = SHORTAGE_LINE | {
    "case_id": "PC-INV-1002",
    "credit_note_id": "CN-PC-INV-1002",
    "credit_memo_external_id": "AMZ-CM-PC-INV-1002",
    "case_class": "PRICE_CLAIM",
    "debit_note_number": "INV-1002",
    "reference_invoice_number": "INV-1002",
    "units": 4,
    "unit_amount": Decimal("0.37"),
    "amount": Decimal("1.48"),
    "root_cause": "invoiced_above_po_cost",
}


def test_the_credit_note_names_the_debit_note_it_settles_and_adds_up() -> None:
    body = rp_credit_note(SHORTAGE_LINE)
    request = SubmitInvoicesRequest.model_validate({"invoices": [body]})
    (note,) = request.invoices
    assert note.invoiceType == InvoiceType.CreditNote
    assert note.id == "CN-SC-INV-1003SC" and note.referenceNumber == "SC-INV-1003SC"
    assert note.date.date() == date(2026, 5, 28)
    (item,) = note.items
    assert item.creditNoteDetails.debitNoteNumber == "INV-1003SC"
    assert item.creditNoteDetails.referenceInvoiceNumber == "INV-1003"
    # No purchase order on a credit note's items (Amazon asks for one on invoices only).
    assert item.purchaseOrderNumber is None
    assert item.invoicedQuantity.amount * item.netCost.amount == note.invoiceTotal.amount
    assert note.invoiceTotal.amount == SHORTAGE_LINE["amount"]
    price = SubmitInvoicesRequest.model_validate({"invoices": [rp_credit_note(PRICE_LINE)]})
    (price_item,) = price.invoices[0].items
    assert (price_item.invoicedQuantity.amount, price_item.netCost.amount) == (4, Decimal("0.37"))
    assert price.invoices[0].invoiceTotal.amount == Decimal("1.48")


def test_a_shortage_memo_restocks_its_item_and_a_price_memo_needs_the_adjustment_item() -> None:
    memo = credit_memo(SHORTAGE_LINE, None)
    assert memo["externalId"] == "AMZ-CM-SC-INV-1003SC"
    assert memo["entity"] == {"id": "1001"} and memo["otherRefNum"] == "INV-1003SC"
    assert memo["tranDate"] == "2026-05-28"
    assert memo["item"]["items"] == [
        {
            "item": {"id": "301"},
            "quantity": 1,
            "rate": 12.5,
            "amount": 12.5,
            "description": "B0TEST0001 shortage on invoice INV-1003",
        }
    ]
    assert "CN-SC-INV-1003SC" in memo["memo"]
    # The units of a price claim did leave: its memo credits the price-adjustment item.
    with pytest.raises(ValueError, match="NETSUITE_PRICE_ADJUSTMENT_ITEM_ID"):
        credit_memo(PRICE_LINE, None)
    price = credit_memo(PRICE_LINE, "900")
    assert price["item"]["items"][0]["item"] == {"id": "900"}
    assert (price["item"]["items"][0]["quantity"], price["item"]["items"][0]["amount"]) == (
        4,
        1.48,
    )
    with pytest.raises(ValueError, match="SKU-1"):
        credit_memo(SHORTAGE_LINE | {"item_id": None}, "900")
