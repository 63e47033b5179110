"""Vendor Central *Payments → Remittance* export (CSV), header-driven.

The export stacks two sections in one sheet: a payment header section (one row per payment) and
an invoice section (one row per settled item). Each is located by its header row, never by a
fixed row number, and columns are read by name, so column order and extra columns don't matter.
Deductions are negative lines; the payment amount equals the sum of its lines' *Amount Paid*.

Shapes accepted: the stacked sheet, and the sheet saved with its invoice section only. The
latter has no payment rows, so each distinct Payment Number of the lines becomes a payment whose
amount is the sum of its lines' Amount Paid, with no payment date (`payment_date=None`: not stated
in the file) and the lines' Invoice Currency (else USD).

Text shapes accepted: comma- or TAB-delimited (sniffed from the header rows, so Excel's "Unicode
text" save works as well as CSV), CR LF or LF line ends, quoted cells holding commas. Decoding
the bytes (UTF-8 with or without BOM, UTF-16 with BOM) is `decode_remittance_bytes`' job.

A warning row reusing the "Payment Number" label lists payments whose lines are hidden because
ordering codes are not attached to the user; those payments are kept and flagged instead of
failing the file, since the file is right and only the account set-up is incomplete.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from datetime import date
from decimal import Decimal

from vendor_pipelines.remittance.amounts import parse_date, parse_money
from vendor_pipelines.remittance.lineage import base_invoice_key, line_lineage
from vendor_pipelines.remittance.models import (
    RemittanceDocument,
    RemittanceLine,
    RemittanceParseError,
    RemittancePayment,
)

PAYMENTS_SECTION = "payments"
INVOICES_SECTION = "invoices"

PAYMENT_REQUIRED = ("payment number", "payment date")
INVOICE_REQUIRED = ("payment number", "invoice number", "amount paid")
VENDOR_COLUMNS = ("vendor code", "vendor")
DELIMITERS = (",", "\t")
DEFAULT_CURRENCY = "USD"


def _norm(cell: str) -> str:
    return " ".join(cell.strip().lower().split())


def _section_of(row: list[str]) -> str | None:
    labels = {_norm(cell) for cell in row if cell.strip()}
    if "payment number" not in labels:
        return None
    if "invoice number" in labels:
        return INVOICES_SECTION
    if "payment date" in labels:
        return PAYMENTS_SECTION
    return None


def _hidden_payment_numbers(row: list[str]) -> list[str]:
    text = " ".join(cell for cell in row[1:] if cell)
    listed = text.split(":", 1)[1] if ":" in text else text
    return [token for token in re.split(r"[\s,;]+", listed) if re.fullmatch(r"\w[\w-]*", token)]


class _Row:
    def __init__(self, section: str, header: dict[str, int], cells: list[str], line: int):
        self.section = section
        self.header = header
        self.cells = cells
        self.line = line

    def first(self, columns: tuple[str, ...]) -> str:
        """The first of `columns` the header has, read as text (empty if none)."""
        for column in columns:
            if column in self.header:
                return self.text(column)
        return ""

    def text(self, column: str) -> str:
        index = self.header.get(column)
        if index is None or index >= len(self.cells):
            return ""
        return self.cells[index].strip()

    def error(self, column: str, reason: str) -> RemittanceParseError:
        return RemittanceParseError(self.line, self.section, column, reason)

    def required(self, column: str) -> str:
        value = self.text(column)
        if not value:
            raise self.error(column, "required value is empty")
        return value

    def money(self, column: str, default: Decimal | None = None) -> Decimal | None:
        raw = self.text(column)
        if not raw:
            if default is None and column in (*PAYMENT_REQUIRED, *INVOICE_REQUIRED):
                raise self.error(column, "required amount is empty")
            return default
        try:
            return parse_money(raw)
        except ValueError as exc:
            raise self.error(column, str(exc)) from exc

    def date(self, column: str, required: bool = True) -> date | None:
        raw = self.required(column) if required else self.text(column)
        if not raw:
            return None
        try:
            return parse_date(raw)
        except ValueError as exc:
            raise self.error(column, str(exc)) from exc


def _header_map(row: list[str], section: str, line: int) -> dict[str, int]:
    header = {_norm(cell): index for index, cell in enumerate(row) if cell.strip()}
    required = PAYMENT_REQUIRED if section == PAYMENTS_SECTION else INVOICE_REQUIRED
    for column in required:
        if column not in header:
            raise RemittanceParseError(line, section, column, "missing column in header row")
    if section == PAYMENTS_SECTION and not (
        "amount in payment currency" in header or "amount in invoice currency" in header
    ):
        raise RemittanceParseError(line, section, "amount in payment currency", "missing column")
    return header


def _payment(row: _Row) -> RemittancePayment:
    amount_column = (
        "amount in payment currency"
        if "amount in payment currency" in row.header
        else "amount in invoice currency"
    )
    amount = row.money(amount_column)
    if amount is None:
        raise row.error(amount_column, "required amount is empty")
    return RemittancePayment(
        payment_number=row.required("payment number"),
        payment_date=row.date("payment date"),  # type: ignore[arg-type]
        amount=amount,
        currency=row.text("payment currency") or row.text("invoice currency") or "USD",
        payment_method=row.text("payment type") or None,
        payment_status=row.text("payment status") or None,
        payee_id=row.first(VENDOR_COLUMNS) or None,
        source_line=row.line,
    )


def _line(row: _Row, line_no: int) -> RemittanceLine:
    amount = row.money("amount paid")
    assert amount is not None
    description = row.text("transaction description") or row.text("description") or None
    reference = row.required("invoice number")
    original_invoice_number = row.text("original invoice number") or None
    lineage = line_lineage(reference, original_invoice_number=original_invoice_number)
    return RemittanceLine(
        payment_number=row.required("payment number"),
        line_no=line_no,
        record_kind="CSV",
        reference=reference,
        amount=amount,
        invoice_amount=row.money("invoice amount", default=amount),
        discount_amount=row.money("terms discount taken", default=Decimal("0")) or Decimal("0"),
        withholding_amount=row.money("withholding amount", default=Decimal("0")) or Decimal("0"),
        remaining_amount=row.money("remaining amount", default=Decimal("0")),
        transaction_type=row.text("transaction type") or None,
        description=description,
        original_invoice_number=original_invoice_number,
        original_invoice=lineage.original_invoice,
        links_to=lineage.links_to,
        vendor_code=row.first(VENDOR_COLUMNS) or None,  # else the payment's payee, see _validate
        po_number=row.text("reference details") or None,
        invoice_date=row.date("invoice date", required=False),
        source_line=row.line,
        invoice_currency=row.text("invoice currency") or None,
    )


def sniff_delimiter(text: str) -> str:
    """Comma or TAB: the one that splits a header row into the export's column names."""
    for raw in text.splitlines():
        if "payment number" not in raw.lower():
            continue
        for delimiter in DELIMITERS:
            cells = next(csv.reader([raw], delimiter=delimiter), [])
            if _section_of(cells) is not None:
                return delimiter
    return ","


def parse_vc_payments_csv(text: str) -> RemittanceDocument:
    """Parse a Vendor Central payments export; any error rejects the whole file."""
    document = RemittanceDocument(source_format="vc_payments_csv")
    text = text.lstrip("\ufeff")
    # newline="" lets the csv module see CR LF, LF (and quoted line breaks) as they are.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    section: str | None = None
    header: dict[str, int] = {}
    hidden: set[str] = set()
    seen_sections: set[str] = set()
    currencies: dict[str, tuple[str, int]] = {}  # payment -> (invoice currency, line)
    for cells in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in cells):
            section = None  # a blank row ends a section
            continue
        found = _section_of(cells)
        if found is not None:
            if found in seen_sections:
                raise RemittanceParseError(line, found, None, "section header appears twice")
            seen_sections.add(found)
            section, header = found, _header_map(cells, found, line)
            continue
        if _norm(cells[0]) == "payment number":
            hidden.update(_hidden_payment_numbers(cells))
            document.warnings.append(f"line {line}: {' '.join(c for c in cells if c).strip()}")
            continue
        if section is None:
            continue  # title lines, notes
        row = _Row(section, header, cells, line)
        if section == PAYMENTS_SECTION:
            document.payments.append(_payment(row))
        else:
            parsed = _line(row, len(document.lines) + 1)
            _check_currency(row, parsed.payment_number, currencies)
            _warn_original_invoice(document, parsed)
            document.lines.append(parsed)
    if PAYMENTS_SECTION not in seen_sections:
        document.payments = _payments_from_lines(document, currencies, hidden)
    _validate(document, hidden)
    return document


def _check_currency(row: _Row, payment: str, currencies: dict[str, tuple[str, int]]) -> None:
    currency = row.text("invoice currency").upper()
    if not currency:
        return
    known = currencies.setdefault(payment, (currency, row.line))
    if known[0] != currency:
        raise row.error(
            "invoice currency",
            f"payment {payment} mixes currencies {known[0]} (line {known[1]}) and {currency}",
        )


def _warn_original_invoice(document: RemittanceDocument, line: RemittanceLine) -> None:
    """The line id wins over the column (see lineage.line_lineage); say so when they differ."""
    if not line.original_invoice_number or line.original_invoice is None:
        return
    stated = base_invoice_key(line.original_invoice_number)
    if stated != line.original_invoice:
        document.warnings.append(
            f"line {line.source_line}: Original Invoice Number {line.original_invoice_number} "
            f"differs from invoice {line.original_invoice} named by {line.reference}; "
            f"using {line.original_invoice}"
        )


def _payments_from_lines(
    document: RemittanceDocument, currencies: dict[str, tuple[str, int]], hidden: set[str]
) -> list[RemittancePayment]:
    """The export saved with its line section only: one payment per Payment Number of the lines.

    The amount is the sum of its lines' Amount Paid (so it ties by construction), the date is
    not stated (None), and the currency is the lines' Invoice Currency, else USD.
    """
    first_line: dict[str, int | None] = {}
    totals: dict[str, Decimal] = {}
    for line in document.lines:
        first_line.setdefault(line.payment_number, line.source_line)
        totals[line.payment_number] = totals.get(line.payment_number, Decimal("0")) + line.amount
    for number in sorted(hidden - set(totals)):
        document.warnings.append(
            f"payment {number} is listed as hidden but the file has no payment section, so its "
            "amount is unknown and it is not in this file"
        )
    return [
        RemittancePayment(
            payment_number=number,
            payment_date=None,
            amount=total,
            currency=currencies.get(number, (DEFAULT_CURRENCY, 0))[0],
            source_line=first_line[number],
        )
        for number, total in totals.items()
    ]


def _validate(document: RemittanceDocument, hidden: set[str]) -> None:
    if not document.payments:
        raise RemittanceParseError(
            None, PAYMENTS_SECTION, None, "no payment header section/rows and no invoice lines"
        )
    by_number: dict[str, RemittancePayment] = {}
    for payment in document.payments:
        if payment.payment_number in by_number:
            raise RemittanceParseError(
                payment.source_line,
                PAYMENTS_SECTION,
                "payment number",
                f"duplicate payment {payment.payment_number}",
            )
        by_number[payment.payment_number] = payment
    totals: dict[str, Decimal] = dict.fromkeys(by_number, Decimal("0"))
    for line in document.lines:
        if line.payment_number not in by_number:
            raise RemittanceParseError(
                line.source_line,
                INVOICES_SECTION,
                "payment number",
                f"line for payment {line.payment_number} that is not in the payment section",
            )
        totals[line.payment_number] += line.amount
    payees = {p.payment_number: p.payee_id for p in document.payments}
    document.lines = [
        line
        if line.vendor_code is not None or payees[line.payment_number] is None
        else replace(line, vendor_code=payees[line.payment_number])
        for line in document.lines
    ]
    flagged = []
    for payment in document.payments:
        if payment.payment_number in hidden:
            flagged.append(_flag_hidden(payment))
            continue
        if totals[payment.payment_number] != payment.amount:
            raise RemittanceParseError(
                payment.source_line,
                PAYMENTS_SECTION,
                "amount in payment currency",
                f"payment {payment.payment_number} amount {payment.amount} != sum of its lines' "
                f"amount paid {totals[payment.payment_number]}",
            )
        flagged.append(payment)
    document.payments = flagged


def _flag_hidden(payment: RemittancePayment) -> RemittancePayment:
    return replace(payment, has_hidden_lines=True)
