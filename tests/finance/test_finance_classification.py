"""Line-id decoding and deduction classes, one hand-written case per deduction type."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from vendor_pipelines.remittance import base_invoice_key, classify_line
from vendor_pipelines.sandbox.remittance_files import (
    SandboxInvoice,
    SandboxInvoiceLine,
    settlement_for_invoices,
)

CASES = [
    # reference, amount, description, X12 426 reason, class
    ("INV-0001234", "1500.00", "Payments", None, "INVOICE_PAYMENT"),
    ("INV_0001234", "1500.00", None, None, "INVOICE_PAYMENT"),
    ("INV-0001234SC", "-25.00", None, None, "SHORTAGE"),
    ("INV-0001234SCR", "25.00", None, None, "SHORTAGE_REVERSAL"),
    ("INV-0001234SCRSC", "-10.00", None, None, "SHORTAGE"),
    ("INV-0001234SCRSCR", "10.00", None, None, "SHORTAGE_REVERSAL"),
    ("82736451VCBSINV", "-36.60", "Chargeback", None, "CHARGEBACK"),
    ("6268-1234567890", "-458.37", "Co-op", None, "COOP"),
    ("6268-1234567890", "-458.37", "COOP - Service agreement", None, "COOP"),
    ("6268-1234567890", "-91.67", "Damage allowance", None, "DAMAGE_ALLOWANCE"),
    ("6268-1234567890", "-283.98", "Freight allowance", None, "FREIGHT_ALLOWANCE"),
    ("6268-1234567890", "-150.00", "SPA", None, "PROMOTION"),
    ("6268-1234567890", "-150.00", None, "16", "PROMOTION"),
    ("6268-1234567890", "-458.37", None, "56", "COOP"),
    ("6268-1234567890", "-12.00", "Something new", None, "UNKNOWN"),
    ("240307_PROVISION_FOR_RECEIVABLES", "-500.00", None, None, "PROVISION"),
    ("240307_PROVISION_FOR_RECEIVABLESR", "320.00", None, None, "PROVISION_REVERSAL"),
    ("240307_PROVISION_FOR_AGED_RECEIVABLE", "-80.00", None, None, "PROVISION"),
    ("240307_PROVISION_FOR_AGED_RECEIVABLE-R", "80.00", None, None, "PROVISION_REVERSAL"),
    ("IPAPUS1234567", "-42.10", None, None, "PRICE_PROTECTION"),
    ("7711223HPA", "-87.65", "DFP for AR Invoice", None, "ADVERTISING"),
    ("AR-99812", "-87.65", "DFP for AR Invoice", None, "ADVERTISING"),
    ("INV-0001234", "-11.16", "Price variance", None, "PRICE_CLAIM"),
    ("INV-0001234", "3.75", "Price variance reversal", None, "PRICE_CLAIM_REVERSAL"),
    ("INV-0001234", "-11.16", None, "01", "PRICE_CLAIM"),
    ("INV-0001234", "3.75", None, "01", "PRICE_CLAIM_REVERSAL"),
    ("INV-0001234", "-143.76", None, "59", "SHORTAGE"),
    ("INV-0001234", "-20.00", "Quantity shortage", None, "SHORTAGE"),
    ("RTV1234567", "-64.20", "Product returns", None, "RETURNS"),
    ("RTV1234567", "-64.20", None, "72", "RETURNS"),
    ("INV-0001234", "-30.00", "Allowance - Discounts received", None, "TERMS_DISCOUNT"),
    ("ZX4471", "-19.99", "Miscellaneous adjustment", None, "UNKNOWN"),
    ("INV-0001234", "-19.99", None, None, "UNKNOWN"),  # a negative invoice line with no reason
]


@pytest.mark.parametrize(("reference", "amount", "description", "reason", "expected"), CASES)
def test_each_deduction_type(
    reference: str, amount: str, description: str | None, reason: str | None, expected: str
) -> None:
    assert classify_line(reference, Decimal(amount), description, reason) == expected


@pytest.mark.parametrize(
    ("reference", "key"),
    [
        ("INV-0001234", "INV-0001234"),
        ("INV-0001234SC", "INV-0001234"),
        ("INV-0001234SCRSCR", "INV-0001234"),
        ("inv_0001234", "INV-0001234"),
        ("ABC-DISC", "ABC-DISC"),  # letters before SC: not a shortage chain
        ("82736451VCBSINV", "82736451VCBSINV"),
    ],
)
def test_base_invoice_key(reference: str, key: str) -> None:
    assert base_invoice_key(reference) == key


def test_sandbox_settlement_lines_classify_as_intended() -> None:
    line = SandboxInvoiceLine("B000TEST01", "SKU-1", 10, Decimal("12.50"))
    invoices = [
        SandboxInvoice(f"INV-000000{n}", f"PO{n}", "ACME1", date(2024, 3, n), (line,))
        for n in (1, 2, 3)
    ]
    payment = settlement_for_invoices(
        invoices, payment_number="P1", payment_date=date(2024, 3, 7), unknown_code=True
    )
    got = [classify_line(i.reference, i.amount, i.description, i.reason) for i in payment.items]
    assert got == [item.expected_class for item in payment.items]
    assert {
        "SHORTAGE",
        "SHORTAGE_REVERSAL",
        "CHARGEBACK",
        "COOP",
        "DAMAGE_ALLOWANCE",
        "FREIGHT_ALLOWANCE",
        "PROMOTION",
        "PROVISION",
        "PROVISION_REVERSAL",
        "PRICE_PROTECTION",
        "ADVERTISING",
        "PRICE_CLAIM",
        "PRICE_CLAIM_REVERSAL",
        "RETURNS",
        "UNKNOWN",
    } <= set(got)
