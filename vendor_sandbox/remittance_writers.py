"""Render sandbox payments as an X12 820 interchange or a Vendor Central payments CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from vendor_sandbox.remittance_files import SandboxPayment, SandboxRemitItem

ADX_SIGN_FLIP_VERSION = 3050


def _x12_amount(value: Decimal) -> str:
    return f"{value:.2f}"


def _isa(control: int, when: date) -> str:
    fields = [
        "ISA",
        "00",
        " " * 10,
        "00",
        " " * 10,
        "ZZ",
        "AMAZON".ljust(15),
        "ZZ",
        "VENDORPIPES".ljust(15),
        when.strftime("%y%m%d"),
        "1200",
        "U",
        "00401",
        f"{control:09d}",
        "0",
        "P",
        ">",
    ]
    return "*".join(fields)


def _rmr(item: SandboxRemitItem, paid: Decimal) -> list[str]:
    gross = item.invoice_amount if item.invoice_amount is not None else item.amount
    discount = _x12_amount(item.discount) if item.discount else ""
    elements = ["RMR", "IV", item.reference, "", _x12_amount(paid), _x12_amount(gross), discount]
    if item.kind == "deduction" and item.reason:
        elements.append(item.reason)  # RMR07: adjustment reason on agreement invoices
    segments = ["*".join(elements).rstrip("*")]
    if item.po_number:
        segments.append(f"REF*PO*{item.po_number}")
    if item.invoice_date:
        segments.append(f"DTM*003*{item.invoice_date:%Y%m%d}")
    return segments


def write_820(
    payments: Sequence[SandboxPayment],
    *,
    control_number: int = 1,
    version: str = "004010",
    vendor_name: str = "ACME HOME GOODS",
) -> str:
    """One interchange, one ST..SE per payment, `~` terminated with a newline per segment.

    The envelope is what the strict parser checks: ISA13 = IEA02 and GS06 = GE02 (both
    `control_number`), ST02 = SE02 per set, SE01 counts ST..SE, GE01 = number of sets (payments),
    IEA01 = 1 group.
    """
    flip = int(version[:6]) < ADX_SIGN_FLIP_VERSION

    def adx(item: SandboxRemitItem, with_ref: bool) -> str:
        amount = -item.amount if flip else item.amount
        parts = ["ADX", _x12_amount(amount), item.reason or "ZZ"]
        if with_ref:
            parts += ["IV", item.reference]
        return "*".join(parts)

    when = payments[0].payment_date if payments else date.today()
    out = [
        _isa(control_number, when),
        f"GS*RA*AMAZON*VENDORPIPES*{when:%Y%m%d}*1200*{control_number}*X*{version}",
    ]
    for index, payment in enumerate(payments, start=1):
        body = [
            f"BPR*C*{_x12_amount(payment.amount)}*C*ACH*CCP*01*011000015*DA*100200300*1234567890"
            f"**01*021000021*DA*987654321*{payment.payment_date:%Y%m%d}",
            f"TRN*1*{payment.payment_number}*1234567890",
            f"CUR*PR*{payment.currency}",
            f"DTM*097*{payment.payment_date:%Y%m%d}",
            "N1*PR*AMAZON.COM SERVICES LLC",
            f"N1*PE*{vendor_name}*92*{payment.vendor_code}",
            # ENT02 entity code VN (vendor), ENT03 qualifier 92 (assigned by the buyer), ENT04
            # the vendor code: the code every line of this loop belongs to.
            f"ENT*1*VN*92*{payment.vendor_code}",
        ]
        body += [adx(item, True) for item in payment.items if item.kind == "adx_ent"]
        children: dict[str, list[SandboxRemitItem]] = {}
        for item in payment.items:
            if item.kind == "adx_in_invoice":
                children.setdefault(item.reference, []).append(item)
        for item in payment.items:
            if item.kind not in ("invoice", "deduction"):
                continue
            loop = children.pop(item.reference, []) if item.kind == "invoice" else []
            paid = item.amount + sum((child.amount for child in loop), Decimal("0"))
            body += _rmr(item, paid)
            body += [adx(child, False) for child in loop]
        if children:
            raise ValueError(f"in-loop adjustments without their invoice: {sorted(children)}")
        st = f"ST*820*{index:04d}"
        out += [st, *body, f"SE*{len(body) + 2}*{index:04d}"]
    out += [f"GE*{len(payments)}*{control_number}", f"IEA*1*{control_number:09d}"]
    return "~\n".join(out) + "~\n"


def _csv_money(value: Decimal, style: int) -> str:
    """Exercise the export's quirks: `$`, thousands separators, parentheses negatives."""
    magnitude = f"{abs(value):,.2f}"
    if style % 3 == 0:
        return f"(${magnitude})" if value < 0 else f"${magnitude}"
    if style % 3 == 1:
        return f"({magnitude})" if value < 0 else magnitude
    return f"{value:.2f}"


PAYMENT_HEADER = [
    "Payment Number",
    "Payment Date",
    "Invoice Currency",
    "Amount in Invoice Currency",
    "Payment Currency",
    "Amount in Payment Currency",
    "Exchange Rate",
    "Payment Type",
    "Payment Status",
    "Payment Voided Reason",
]
INVOICE_HEADER = [
    "Payment Number",
    "Invoice Number",
    "Invoice Date",
    "Transaction type",
    "Transaction Description",
    "Reference Details",
    "Original Invoice Number",
    "Invoice Amount",
    "Invoice Currency",
    "Withholding Amount",
    "Terms Discount Taken",
    "Amount Paid",
    "Remaining Amount",
]


def write_vc_payments_csv(payments: Sequence[SandboxPayment]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["Remittance payments"])
    writer.writerow([])
    writer.writerow(PAYMENT_HEADER)
    for index, payment in enumerate(payments):
        total = _csv_money(payment.amount, index)
        writer.writerow(
            [
                payment.payment_number,
                f"{payment.payment_date:%m/%d/%Y}",
                payment.currency,
                total,
                payment.currency,
                total,
                "1",
                "ACH",
                "Paid",
                "",
            ]
        )
    hidden = [p.payment_number for p in payments if p.hidden_lines]
    if hidden:
        writer.writerow(
            [
                "Payment Number",
                "Lines of these payments are hidden because ordering codes are not set up in your "
                f"account: {', '.join(hidden)}",
            ]
        )
    writer.writerow([])
    writer.writerow(INVOICE_HEADER)
    style = 0
    for payment in payments:
        if payment.hidden_lines:
            continue
        for item in payment.items:  # every adjustment is its own line in the export
            style += 1
            invoice_amount = item.invoice_amount if item.invoice_amount is not None else item.amount
            writer.writerow(
                [
                    payment.payment_number,
                    item.reference,
                    f"{item.invoice_date:%m/%d/%Y}" if item.invoice_date else "",
                    item.transaction_type,
                    item.description,
                    item.po_number or "",
                    # the export names the invoice an adjustment inside its settlement adjusts
                    item.reference if item.kind == "adx_in_invoice" else "",
                    _csv_money(invoice_amount, style),
                    payment.currency,
                    "0.00",
                    _csv_money(item.discount, style),
                    _csv_money(item.amount, style),
                    "0.00",
                ]
            )
    return buffer.getvalue()
