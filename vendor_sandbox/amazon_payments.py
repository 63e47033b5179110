"""Amazon pays: remittance files for the invoices the simulated Amazon has received.

Amazon has no remittance API, so the sandbox plays its accounts-payable department: it groups
the RP invoices it accepted into payments per vendor code (every deduction type included, via
`remittance_files.settlement_for_invoices`, with the shortage claims, price claims and
chargebacks it raised from its own facts and the reversals of disputes it decided, via
`amazon_claims`) and drops them into the remittance inbox, alternating
EDI 820 and Vendor Central CSV, exactly as a vendor would receive them. Finance also exports
some payments it already received as an 820 from the portal: the same payment arrives twice, in
both formats, and must be recorded as a repeat, not counted twice.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from vendor_sandbox.amazon.state import AmazonSandboxState
from vendor_sandbox.amazon_claims import (
    decide_disputes,
    disputes_due,
    raise_claims,
    vendors_with_disputes_due,
    withdraw_settled_disputes,
)
from vendor_sandbox.remittance_files import (
    SandboxInvoice,
    SandboxInvoiceLine,
    SandboxPayment,
    settlement_for_invoices,
)
from vendor_sandbox.remittance_writers import write_820, write_vc_payments_csv
from vendor_sandbox.store import SandboxStore

PAID = "amazon.paid_invoices"
INVOICES_PER_PAYMENT = 6


def _invoice(body: dict[str, Any]) -> SandboxInvoice | None:
    lines = tuple(
        SandboxInvoiceLine(
            asin=item.get("amazonProductIdentifier") or "",
            sku=item.get("vendorProductIdentifier") or "",
            quantity=int(item["invoicedQuantity"]["amount"]),
            unit_cost=Decimal(str(item["netCost"]["amount"])),
        )
        for item in body.get("items", [])
        if item.get("netCost") and int(item["invoicedQuantity"]["amount"]) > 0
    )
    if not lines:
        return None
    purchase_orders = {item.get("purchaseOrderNumber") for item in body.get("items", [])}
    return SandboxInvoice(
        invoice_number=body["id"],
        po_number=sorted(p for p in purchase_orders if p)[0] if purchase_orders - {None} else "",
        vendor_code=(body.get("billToParty") or body.get("remitToParty") or {}).get("partyId", ""),
        invoice_date=date.fromisoformat(str(body["date"])[:10]),
        lines=lines,
        currency=body["invoiceTotal"]["currencyCode"],
        header_adjustment=_money(body, "chargeDetails", "chargeAmount")
        - _money(body, "allowanceDetails", "allowanceAmount")
        + _money(body, "taxDetails", "taxAmount"),
    )


def _money(body: dict[str, Any], details: str, field: str) -> Decimal:
    """Sum of one kind of header amount on a submitted invoice (charges, allowances, taxes)."""
    return sum((Decimal(str(d[field]["amount"])) for d in body.get(details) or []), Decimal("0"))


def write_remittances(
    state: AmazonSandboxState,
    inbox: Path,
    payment_date: date,
    seed: int = 7,
    *,
    unknown_code_every: int | None = None,
    exported_every: int | None = 3,
    warehouse: SandboxStore | None = None,
) -> list[Path]:
    """Pay every accepted, unpaid RP invoice; return the files written to the inbox.

    Amazon takes its claims from its own facts (`amazon_claims.raise_claims`: what the ASNs
    said, what the cartons held; `warehouse` is the NetSuite store whose warehouse plan knows
    the cartons) and decides the disputes received by `payment_date`: the reversals ride on the
    vendor code's first payment of the run, or make a payment of their own (always an 820:
    the portal export names no vendor code, and a chargeback reversal no invoice).
    `unknown_code_every=N`: every N-th payment (counted across calls) also carries a deduction
    whose code no rule knows, which must hold that payment alone (the live mode uses it).
    `exported_every=N`: every N-th payment sent as an 820 (counted across calls) is also in the
    inbox as its Vendor Central portal export.
    A credit note is never paid: it settles a claim Amazon already netted. A dispute of a claim
    the vendor credited meanwhile is withdrawn, not decided.
    """
    store = state.store
    unpaid: dict[str, list[SandboxInvoice]] = {}
    for entry in state.received("rp_invoices"):
        if entry.get("duplicateOf") or store.get(PAID, entry["ref"]):
            continue
        if entry["body"].get("invoiceType") == "CreditNote":
            continue  # matched to the claim it settles, which Amazon already netted
        transaction = state.transaction(entry["transactionId"])
        if not transaction or state.transaction_status(transaction) != "Success":
            continue
        invoice = _invoice(entry["body"])
        if invoice is not None:
            unpaid.setdefault(invoice.vendor_code, []).append(invoice)
    inbox.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    paid = 0
    withdraw_settled_disputes(store, payment_date)
    deciding = vendors_with_disputes_due(store, payment_date)
    for vendor_code in sorted(set(unpaid) | deciding):
        invoices = unpaid.get(vendor_code, [])
        due = disputes_due(store, vendor_code, payment_date)
        batches = [
            batch
            for start in range(0, len(invoices) - 1, INVOICES_PER_PAYMENT)
            # a payment needs two invoices to carry every deduction type; one left waits
            if len(batch := invoices[start : start + INVOICES_PER_PAYMENT]) >= 2
        ]
        if not batches and due:
            wrong = any(entry["claim"]["truth"] == "wrong" for entry in due)
            number = _payment_number(store, vendor_code, payment_date) if wrong else None
            reversals = decide_disputes(store, due, payment_date, number)
            if number is not None:
                currency = due[0]["claim"].get("currency", "USD")
                payment = SandboxPayment(
                    number, payment_date, vendor_code, items=reversals, currency=currency
                )
                sent_820 = store.next_value("amazon.payments.820", 1)
                path = inbox / f"remittance-{number}.820"
                path.write_text(write_820([payment], control_number=sent_820))
                written.append(path)
            continue
        for index, batch in enumerate(batches):
            number = _payment_number(store, vendor_code, payment_date)
            unknown = bool(unknown_code_every) and (
                store.next_value("amazon.payments.all", 1) % unknown_code_every == 0
            )
            claims = raise_claims(state, batch, number, seed, warehouse)
            if index == 0:
                claims += decide_disputes(store, due, payment_date, number)
            payment = settlement_for_invoices(
                batch,
                payment_number=number,
                payment_date=payment_date,
                seed=seed,
                unknown_code=unknown,
                claims=claims,
            )
            paid += 1
            if paid % 2 == 1:
                # Interchange control numbers never repeat (ISA13), as Amazon's don't.
                sent_820 = store.next_value("amazon.payments.820", 1)
                path = inbox / f"remittance-{number}.820"
                path.write_text(write_820([payment], control_number=sent_820))
                if exported_every and sent_820 % exported_every == 1:
                    export = inbox / f"portal-export-{number}.csv"
                    export.write_text(write_vc_payments_csv([payment]))
                    written.append(export)
            else:
                path = inbox / f"payments-{number}.csv"
                path.write_text(write_vc_payments_csv([payment]))
            written.append(path)
            for invoice in batch:
                store.put(PAID, invoice.invoice_number, {"payment": number})
    return written


def _payment_number(store: SandboxStore, vendor_code: str, payment_date: date) -> str:
    """Numbered per vendor code and day across calls: Amazon never reuses a payment number,
    and a later payment of the same day must not overwrite an earlier file."""
    sequence = store.next_value(f"amazon.payments:{vendor_code}:{payment_date}", 0)
    return f"{payment_date:%y%m%d}{vendor_code}{sequence:03d}"
