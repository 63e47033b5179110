"""RP credit notes that settle a claim Amazon took: the vendor accepting Amazon's debit note.

Amazon nets a shortage or price claim from a payment before the vendor has a say. A vendor who
finds the claim right answers with a credit note (`submitInvoices`, `invoiceType` CreditNote)
whose items name the debit note (`creditNoteDetails.debitNoteNumber`, the claim's reference on
the remittance) and the invoice it was taken on (`referenceInvoiceNumber`). Amazon matches it to
that claim, which it has already netted, so the credit note moves no money: it is recorded
against the claim (`amazon.credit_notes`) and never paid or deducted again.

A sandbox limitation, on purpose: a credit note that names no debit note (a return, a co-op
credit) would be netted from a later payment by the real Amazon; the sandbox refuses it, because
nothing the product sends is such a credit note.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from vendor_pipelines.amazon.models import invoices as inv
from vendor_sandbox.store import SandboxStore

from .rules_base import TOLERANCE, ErrorDict, err
from .state import CLAIMS, CREDIT_NOTES, DISPUTES, INVOICES, AmazonSandboxState


def _vendor_of(body: dict[str, Any]) -> str:
    return (body.get("billToParty") or body.get("remitToParty") or {}).get("partyId", "")


def still_claimed(state: AmazonSandboxState, claim: dict[str, Any]) -> Decimal:
    """What Amazon still holds of a claim: its amount less what a decided dispute paid back."""
    dispute = state.store.get(DISPUTES, claim["reference"]) or {}
    repaid = Decimal((dispute.get("decision") or {}).get("amount") or "0")
    return Decimal(claim["amount"]) - repaid


def settled_claims(store: SandboxStore) -> dict[str, str]:
    """debit note (claim reference) -> the credit note that settled it: the one reading of
    `amazon.credit_notes` the rules, the disputes and the payment runs share."""
    return {record["debit_note"]: record["credit_note"] for record in store.all(CREDIT_NOTES)}


def credit_note_errors(
    state: AmazonSandboxState, invoice: inv.Invoice, settling: dict[str, str]
) -> list[ErrorDict]:
    """Why Amazon cannot match a credit note to the claims it names (empty when it can).

    One credit note per claim holds within one submission too: `settling` (debit note -> the
    request's first credit note naming it) is shared by the credit notes of one request, so a
    second one naming the same claim is refused before the request is applied."""
    where = f"credit note {invoice.id}"
    settled = settled_claims(state.store)
    vendor = (invoice.billToParty or invoice.remitToParty).partyId or ""
    errors: list[ErrorDict] = []
    credited: dict[str, Decimal] = defaultdict(Decimal)
    claims: dict[str, dict[str, Any]] = {}
    for item in invoice.items or []:
        at = f"{where} item {item.itemSequenceNumber}"
        details = item.creditNoteDetails
        debit_note = details.debitNoteNumber if details else None
        reference = details.referenceInvoiceNumber if details else None
        if not debit_note:
            errors.append(
                err(
                    "INVALID_DEBIT_NOTE",
                    "creditNoteDetails.debitNoteNumber is required: the sandbox's Amazon takes "
                    "only credit notes that settle a claim it took.",
                    at,
                )
            )
            continue
        received = state.store.get(INVOICES, reference or "")
        if (
            received is None
            or received["body"].get("invoiceType") == inv.InvoiceType.CreditNote.value
            or _vendor_of(received["body"]) != vendor
        ):
            errors.append(
                err(
                    "INVALID_REFERENCE_INVOICE",
                    f"Invoice {reference} was not received from vendor {vendor}.",
                    at,
                )
            )
            continue
        claim = state.store.get(CLAIMS, debit_note)
        if claim is None or claim["invoice"] != reference or claim["vendor_code"] != vendor:
            errors.append(
                err(
                    "INVALID_DEBIT_NOTE",
                    f"Debit note {debit_note} is not a claim Amazon took on invoice {reference}.",
                    at,
                )
            )
            continue
        if debit_note in settled:
            errors.append(
                err(
                    "DEBIT_NOTE_ALREADY_SETTLED",
                    f"Debit note {debit_note} was already settled by credit note "
                    f"{settled[debit_note]}.",
                    at,
                )
            )
            continue
        first = settling.setdefault(debit_note, invoice.id)
        if first != invoice.id:
            errors.append(
                err(
                    "DEBIT_NOTE_ALREADY_SETTLED",
                    f"Debit note {debit_note} is already settled by credit note {first} of this "
                    "submission.",
                    where,
                )
            )
            continue
        claims[debit_note] = claim
        credited[debit_note] += (item.netCost.amount or Decimal(0)) * item.invoicedQuantity.eaches
    for debit_note, amount in credited.items():
        held = still_claimed(state, claims[debit_note])
        if amount > held + TOLERANCE:
            errors.append(
                err(
                    "CREDIT_EXCEEDS_CLAIM",
                    f"Credit {amount} exceeds the {held} Amazon still holds of debit note "
                    f"{debit_note}.",
                    where,
                )
            )
    return errors


def record_credit_note(state: AmazonSandboxState, invoice: inv.Invoice, received_at: str) -> None:
    """Match an accepted credit note to each claim it names: nothing is paid or netted."""
    credited: dict[str, Decimal] = defaultdict(Decimal)
    references: dict[str, str] = {}
    for item in invoice.items or []:
        details = item.creditNoteDetails
        credited[details.debitNoteNumber] += (
            item.netCost.amount or Decimal(0)
        ) * item.invoicedQuantity.eaches
        references[details.debitNoteNumber] = details.referenceInvoiceNumber
    for debit_note, amount in credited.items():
        claim = state.store.get(CLAIMS, debit_note)
        state.store.put(
            CREDIT_NOTES,
            f"{invoice.id}:{debit_note}",
            {
                "credit_note": invoice.id,
                "debit_note": debit_note,
                "reference_invoice": references[debit_note],
                "amount": str(amount.quantize(Decimal("0.01"))),
                "currency": invoice.invoiceTotal.currencyCode,
                "vendor_code": claim["vendor_code"],
                "kind": claim["kind"],
                "truth": claim["truth"],
                "received_at": received_at,
            },
        )
