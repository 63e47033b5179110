"""Deduction classes, one hand-written case per deduction type and X12 426 reason code.

Every case goes through the warehouse's own SQL (the dbt seed and macro, rendered by
`finance.classification`): there is no other implementation of the rules to test.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from vendor_pipelines.finance.classification import classes_of
from vendor_pipelines.remittance.lineage import base_invoice_key
from vendor_sandbox.remittance_files import (
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
    # An agreement invoice with nothing but its id (820 RMR without RMR07): the id says co-op,
    # as the Vendor Central export describes the same line.
    ("6268-1234567890", "-458.37", None, None, "COOP"),
    ("6268-1234567890", "-458.37", None, "99", "UNKNOWN"),  # a reason code no rule knows
    ("6268-1234567890", "12.00", "Something new", None, "UNKNOWN"),
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
    # ENT-level ADX: nothing but a payer reference and an X12 426 reason code.
    ("CB12345", "-20.00", None, "04", "DAMAGE_ALLOWANCE"),
    ("CB12345", "-20.00", None, "05", "DAMAGE_ALLOWANCE"),
    ("CB12345", "-20.00", None, "06", "SHORTAGE"),
    ("CB12345", "20.00", None, "06", "SHORTAGE_REVERSAL"),
    ("CB12345", "-20.00", None, "11", "RETURNS"),
    ("CB12345", "-20.00", None, "15", "RETURNS"),
    ("CB12345", "-20.00", None, "16", "PROMOTION"),
    ("CB12345", "-20.00", None, "19", "DUPLICATE_BILLING"),
    ("CB12345", "-20.00", None, "24", "PRICE_CLAIM"),
    ("CB12345", "20.00", None, "24", "PRICE_CLAIM_REVERSAL"),
    ("CB12345", "-20.00", None, "52", "PAYMENT_ADJUSTMENT"),
    ("CB12345", "20.00", None, "53", "PAYMENT_ADJUSTMENT"),
    ("CB12345", "-20.00", None, "54", "FREIGHT_ALLOWANCE"),
    ("CB12345", "-20.00", None, "55", "TAX_WITHHELD"),
    ("CB12345", "-20.00", None, "56", "COOP"),
    ("CB12345", "-20.00", None, "57", "COOP"),
    ("CB12345", "-20.00", None, "59", "SHORTAGE"),
    ("CB12345", "-20.00", None, "70", "CHARGEBACK"),
    ("CB12345", "-20.00", None, "71", "COOP"),
    ("CB12345", "-20.00", None, "72", "RETURNS"),
    ("CB12345", "-20.00", None, "73", "CHARGEBACK"),
    ("CB12345", "-20.00", None, "ZZ", "UNKNOWN"),  # mutually defined: finance must type it
    ("CB12345", "-20.00", None, "47", "UNKNOWN"),  # an X12 code Amazon is not known to use
    ("ZX4471", "-19.99", "Miscellaneous adjustment", None, "UNKNOWN"),
    ("INV-0001234", "-19.99", None, None, "UNKNOWN"),  # a negative invoice line with no reason
]


def test_each_deduction_type_and_reason_code() -> None:
    got = classes_of(
        [(ref, Decimal(amount), desc, reason) for ref, amount, desc, reason, _ in CASES]
    )
    wrong = [
        (case, class_code)
        for case, class_code in zip(CASES, got, strict=True)
        if case[4] != class_code
    ]
    assert wrong == []


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
    got = classes_of([(i.reference, i.amount, i.description, i.reason) for i in payment.items])
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
