"""Writers of realistic Amazon remittance files (X12 820 4010 and the VC payments CSV).

The sandbox describes each payment once, format-neutrally (`SandboxPayment` with
`SandboxRemitItem`s), and renders it in either format, so the same settlement can be fed through
both parsers and must give the same warehouse result. `settlement_for_invoices` builds one payment
covering many invoices with every deduction type Amazon nets (see vendor-finance-edi.md §1.4/§2).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

CENT = Decimal("0.01")
ItemKind = Literal["invoice", "deduction", "adx_in_invoice", "adx_ent"]


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class SandboxInvoiceLine:
    asin: str
    sku: str
    quantity: int
    unit_cost: Decimal

    @property
    def amount(self) -> Decimal:
        return cents(self.unit_cost * self.quantity)


@dataclass(frozen=True)
class SandboxInvoice:
    invoice_number: str
    po_number: str
    vendor_code: str
    invoice_date: date
    lines: tuple[SandboxInvoiceLine, ...]
    # Header charges - allowances + tax of the invoice as submitted; Amazon pays the total.
    header_adjustment: Decimal = Decimal("0")
    currency: str = "USD"

    @property
    def amount(self) -> Decimal:
        return sum((line.amount for line in self.lines), Decimal("0")) + self.header_adjustment


@dataclass(frozen=True)
class SandboxRemitItem:
    """One remittance line as Amazon means it, before choosing a file format."""

    kind: ItemKind
    reference: str
    amount: Decimal  # signed cash contribution to the payment
    expected_class: str
    invoice_amount: Decimal | None = None
    discount: Decimal = Decimal("0")
    description: str = ""
    transaction_type: str = ""
    reason: str | None = None  # X12 426 code (ADX02, or RMR07 on agreement invoices)
    po_number: str | None = None
    invoice_date: date | None = None


@dataclass
class SandboxPayment:
    payment_number: str
    payment_date: date
    vendor_code: str
    items: list[SandboxRemitItem] = field(default_factory=list)
    hidden_lines: bool = False  # the VC export hides this payment's lines
    currency: str = "USD"  # Amazon pays in the currency of the invoices it settles

    @property
    def amount(self) -> Decimal:
        return sum((item.amount for item in self.items), Decimal("0"))


def _agreement_number(rng: random.Random) -> str:
    return f"{rng.randint(1000, 9999)}-{rng.randint(10**9, 10**10 - 1)}"


def settlement_for_invoices(
    invoices: list[SandboxInvoice],
    *,
    payment_number: str,
    payment_date: date,
    seed: int = 7,
    quick_pay_rate: Decimal = Decimal("0.02"),
    unexplained_variance: Decimal | None = None,
    unknown_code: bool = False,
    earlier_invoice: SandboxInvoice | None = None,
    resubmitted: bool = False,
    claims: list[SandboxRemitItem] | None = None,
) -> SandboxPayment:
    """One payment over `invoices` carrying every deduction type.

    `claims`, when given, are the shortage claims, price claims, chargebacks and their reversals
    Amazon raised from its own facts (`amazon_claims`): they replace the fixed shortage claim,
    shortage reversal, chargeback, price claim and price-claim reversal of this settlement,
    while every other deduction type stays.

    `unexplained_variance` makes Amazon pay the first invoice short by that amount with no
    deduction line (what finance must chase); `unknown_code` adds a deduction whose identifier
    matches no rule (what must block GL posting). `earlier_invoice` (paid by an earlier payment)
    receives the shortage reversal and the price-claim reversal, i.e. deductions against an
    invoice this payment does not pay; `resubmitted` pays the last invoice under its `_`
    resubmission number.
    """
    if len(invoices) < 2:
        raise ValueError("a realistic settlement needs at least two invoices")
    rng = random.Random(f"{seed}:{payment_number}")
    vendor = invoices[0].vendor_code
    first, second = invoices[0], invoices[1]
    reversed_invoice = earlier_invoice or second
    payment = SandboxPayment(payment_number, payment_date, vendor, currency=first.currency)
    for index, invoice in enumerate(invoices):
        gross = invoice.amount
        if unexplained_variance is not None and index == 0:
            gross -= unexplained_variance
        discount = cents(gross * quick_pay_rate) if index % 2 == 0 else Decimal("0")
        reference = invoice.invoice_number
        if resubmitted and index == len(invoices) - 1:
            reference = reference.replace("-", "_")
        payment.items.append(
            SandboxRemitItem(
                "invoice",
                reference,
                gross - discount,
                "INVOICE_PAYMENT",
                invoice_amount=gross,
                discount=discount,
                description="Payments",
                transaction_type="Invoice",
                po_number=invoice.po_number,
                invoice_date=invoice.invoice_date,
            )
        )
    stamp = payment_date.strftime("%y%m%d")
    # The fixed claims draw from `rng` first, as they always have: the other lines' ids stay.
    fixed = _fixed_claims(first, second, reversed_invoice, rng) if claims is None else []
    head, tail = (fixed[:3], fixed[3:]) if claims is None else (claims, [])
    deductions = [
        *head,
        SandboxRemitItem(
            "deduction",
            _agreement_number(rng),
            -cents(first.amount * Decimal("0.1")),
            "COOP",
            description="Co-op",
            transaction_type="Others",
            reason="56",
        ),
        SandboxRemitItem(
            "deduction",
            _agreement_number(rng),
            -cents(first.amount * Decimal("0.02")),
            "DAMAGE_ALLOWANCE",
            description="Damage allowance",
            transaction_type="Others",
            reason="04",
        ),
        SandboxRemitItem(
            "deduction",
            _agreement_number(rng),
            -cents(second.amount * Decimal("0.05")),
            "FREIGHT_ALLOWANCE",
            description="Freight allowance",
            transaction_type="Others",
            reason="54",
        ),
        SandboxRemitItem(
            "deduction",
            _agreement_number(rng),
            -Decimal("150.00"),
            "PROMOTION",
            description="SPA",
            transaction_type="Others",
            reason="16",
        ),
        SandboxRemitItem(
            "deduction",
            f"{stamp}_PROVISION_FOR_RECEIVABLES",
            -Decimal("500.00"),
            "PROVISION",
            description="Provision for to be billed receivable",
            transaction_type="Provision deduction",
        ),
        SandboxRemitItem(
            "deduction",
            f"{stamp}_PROVISION_FOR_RECEIVABLESR",
            Decimal("320.00"),
            "PROVISION_REVERSAL",
            description="Provision reversal",
            transaction_type="Provision reversal",
        ),
        SandboxRemitItem(
            "deduction",
            f"IPAPUS{rng.randint(10**6, 10**7 - 1)}",
            -Decimal("42.10"),
            "PRICE_PROTECTION",
            description="Price protection",
            transaction_type="Financial Debit Note Invoice",
        ),
        SandboxRemitItem(
            "deduction",
            f"{rng.randint(10**6, 10**7 - 1)}HPA",
            -Decimal("87.65"),
            "ADVERTISING",
            description="DFP for AR Invoice",
            transaction_type="Others",
        ),
        *tail,
        SandboxRemitItem(
            "adx_ent",
            f"RTV{rng.randint(10**6, 10**7 - 1)}",
            -Decimal("64.20"),
            "RETURNS",
            description="Product returns",
            transaction_type="Financial Debit Note Invoice",
            reason="72",
        ),
    ]
    if unknown_code:
        deductions.append(
            SandboxRemitItem(
                "deduction",
                f"ZX{rng.randint(1000, 9999)}",
                -Decimal("19.99"),
                "UNKNOWN",
                description="Miscellaneous adjustment",
                transaction_type="Others",
            )
        )
    payment.items.extend(deductions)
    return payment


def _fixed_claims(
    first: SandboxInvoice,
    second: SandboxInvoice,
    reversed_invoice: SandboxInvoice,
    rng: random.Random,
) -> list[SandboxRemitItem]:
    """The fixed claims of a settlement without `claims`: a shortage claim, a shortage reversal
    and a chargeback (in that order, first), then a price claim and a price-claim reversal."""
    unit = first.lines[0].unit_cost
    return [
        SandboxRemitItem(
            "deduction",
            f"{first.invoice_number}SC",
            -cents(unit * 2),
            "SHORTAGE",
            description="Shortage claim",
            transaction_type="Invoice",
        ),
        SandboxRemitItem(
            "deduction",
            f"{reversed_invoice.invoice_number}SCR",
            cents(unit),
            "SHORTAGE_REVERSAL",
            description="Shortage claim reversal",
            transaction_type="Invoice",
        ),
        SandboxRemitItem(
            "deduction",
            f"{rng.randint(10**7, 10**8 - 1)}VCBSINV",
            -cents(Decimal(rng.randint(500, 9000)) / 100),
            "CHARGEBACK",
            description="Chargeback",
            transaction_type="Financial Debit Note Invoice",
        ),
        # Price claim on the second invoice: in the 820 an ADX 01 inside its RMR loop.
        SandboxRemitItem(
            "adx_in_invoice",
            second.invoice_number,
            -cents(unit / 4),
            "PRICE_CLAIM",
            description="Price variance",
            transaction_type="Financial Debit Note Invoice",
            reason="01",
        ),
        # A price claim paid back: an ENT-level (free-floating) ADX in the 820.
        SandboxRemitItem(
            "adx_ent",
            reversed_invoice.invoice_number,
            Decimal("3.75"),
            "PRICE_CLAIM_REVERSAL",
            description="Price variance reversal",
            transaction_type="Invoice",
            reason="01",
        ),
    ]
