"""Remittance documents as the parsers hand them over, whatever the source format.

One `RemittanceDocument` holds payments (one per Amazon payment number) and remittance lines.
The invariant every parser guarantees: for every payment whose lines are all visible,
`payment.amount == sum(line.amount for its lines)`, where `line.amount` is the signed cash this
line contributes to the payment (a VC export saved with its line section only has no payment
rows: its payments are built from their lines, so the invariant holds by construction).
An 820 RMR that nets in-loop adjustments is therefore split into the invoice line (gross of
those adjustments) plus one child line per ADX, so each deduction is its own row and can land on
its own GL account.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

SourceFormat = Literal["x12_820", "vc_payments_csv"]
RecordKind = Literal["RMR", "ADX_RMR", "ADX_ENT", "CSV"]


class RemittanceParseError(ValueError):
    """A file that cannot be loaded, with the exact place that made it fail.

    `line` is the 1-based line of the file, `segment` the X12 segment id (or CSV section name)
    and `field` the element position (`RMR04`) or CSV column, so finance can fix the file.
    """

    def __init__(self, line: int | None, segment: str | None, field: str | None, reason: str):
        self.line = line
        self.segment = segment
        self.field = field
        self.reason = reason
        super().__init__(self.describe())

    def describe(self) -> str:
        where = ", ".join(
            part
            for part in (
                f"line {self.line}" if self.line is not None else "",
                f"segment {self.segment}" if self.segment else "",
                f"field {self.field}" if self.field else "",
            )
            if part
        )
        return f"{where}: {self.reason}" if where else self.reason


@dataclass(frozen=True)
class RemittancePayment:
    """One Amazon payment (820 BPR/TRN, or a row of the VC payment header section)."""

    payment_number: str
    # The payment (settlement) date as the file states it. None means "not stated in the file",
    # e.g. a Vendor Central export saved with its invoice-line section only: the loader decides
    # what date to use then (never a guess made here).
    payment_date: date | None
    amount: Decimal  # what reaches the bank (BPR02 / Amount in Payment Currency)
    currency: str
    payment_method: str | None = None
    payment_status: str | None = None
    payer_name: str | None = None
    payee_id: str | None = None  # vendor code when the file carries it (820 N1*PE)
    # True when the export warned that this payment's lines are hidden (ordering codes missing):
    # the payment is kept, but its lines will not tie and reconciliation must show it.
    has_hidden_lines: bool = False
    source_line: int | None = None


@dataclass(frozen=True)
class RemittanceLine:
    """One settled item: an invoice paid, a deduction, a reversal or an adjustment."""

    payment_number: str
    line_no: int  # 1-based order within the file; stable, so (file, line_no) is a key
    record_kind: RecordKind
    reference: str  # the line identifier (RMR02 / ADX04 / Invoice Number)
    amount: Decimal  # signed cash contribution to the payment
    invoice_amount: Decimal | None = None  # gross before terms discount (RMR05 / Invoice Amount)
    discount_amount: Decimal = Decimal("0")  # terms (quick-pay) discount taken, positive
    withholding_amount: Decimal = Decimal("0")
    remaining_amount: Decimal | None = None
    reference_qualifier: str | None = None  # RMR01 / ADX03
    adjustment_reason: str | None = None  # X12 element 426 (ADX02 / RMR07)
    transaction_type: str | None = None
    description: str | None = None
    original_invoice_number: str | None = None  # the export's column, literally as written
    # Lineage (see lineage.py), decoded from the line id and the file's structure:
    original_invoice: str | None = None  # base key of the vendor invoice it settles or adjusts
    links_to: str | None = None  # the earlier line id it follows (claim it reverses, provision)
    # ENT04 of the 820 ENT loop holding the line, or the export's "Vendor Code" column; else
    # the payment's payee (N1*PE id), else None.
    vendor_code: str | None = None
    po_number: str | None = None
    invoice_date: date | None = None
    parent_line_no: int | None = None  # the RMR an in-loop ADX belongs to
    source_line: int | None = None
    invoice_currency: str | None = None  # the export's Invoice Currency of the line, as written


@dataclass
class RemittanceDocument:
    """Everything one remittance file says, validated as a whole."""

    source_format: SourceFormat
    payments: list[RemittancePayment] = field(default_factory=list)
    lines: list[RemittanceLine] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    x12_version: str | None = None

    def lines_for(self, payment_number: str) -> list[RemittanceLine]:
        return [line for line in self.lines if line.payment_number == payment_number]

    @property
    def total_amount(self) -> Decimal:
        return sum((p.amount for p in self.payments), Decimal("0"))
