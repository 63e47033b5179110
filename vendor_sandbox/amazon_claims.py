"""Amazon's accounts payable raises claims from what it received, and decides the disputes.

The sandbox is the world, so Amazon's facts are the sandbox's own: the ASNs Amazon accepted
(`amazon.shipment_confirmations`, carton by carton with their SSCCs) and what its fulfilment
centre physically found in each carton (the warehouse plan's `short_packed` defects: the carton
held a unit fewer than every record says). From them, on each invoice it pays:

* `short_packed_carton` (right): a carton came a unit short, so a shortage claim of that unit
  (`<invoice>SC`) and an ASN accuracy chargeback on the shipment (units on the ASN differ from
  units received, cause `asn_units_differ`);
* `receiving_miscount` (wrong): every third other paid invoice, Amazon's receiving counts 1 or
  2 units of one ASIN short although the carton arrived full;
* `amazon_cost_update` (wrong): every fifth paid invoice, Amazon pays one line at a cost 3 %
  below the PO's net cost (the invoice carries the PO's net cost), a price claim;
* `asn_late_claimed` (wrong): every sixth paid invoice's shipment, Amazon says the ASN was late
  although it came minutes after the shipment left (a late-ASN chargeback).

Counting is across payment runs (store counters), so a given seed and order of events always
raises the same claims. Every claim is kept as ground truth in `amazon.claims` (`claims_made`),
with whether it is right or wrong, so tests can hold the vendor's judgement against it.

Disputes: nobody has an API for them; a person uploads a packet in Vendor Central
(`receive_disputes`). At the next payment run on or after that day Amazon decides each one: a
wrong claim is reversed (two of three in full, every third for half: partly won), a right one is
denied (no line). Reversals are lines of that run's payment to the vendor code; when Amazon
pays the vendor nothing else that day, a payment of reversals alone.

Credit notes: a vendor accepting a claim sends a credit note naming it as the debit note it
settles (`amazon/rules_credit_notes.py`); Amazon matches it to the claim and moves no money
(`credit_notes_received`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from vendor_sandbox.amazon.rules_credit_notes import settled_claims
from vendor_sandbox.amazon.state import (
    ASNS,
    CLAIMS,
    CREDIT_NOTES,
    DISPUTES,
    AmazonSandboxState,
    eaches,
)
from vendor_sandbox.netsuite.warehouse import warehouse_plan
from vendor_sandbox.remittance_files import SandboxInvoice, SandboxRemitItem, cents
from vendor_sandbox.store import SandboxStore

PAID_ORDINAL = "amazon.claims.paid_invoices"
OTHER_ORDINAL = "amazon.claims.other_invoices"
WRONG_DECIDED = "amazon.claims.wrong_decided"

MISCOUNT_EVERY = 3  # of the paid invoices without a short carton
COST_UPDATE_EVERY = 5
LATE_ASN_EVERY = 6
COST_UPDATE_SHARE = Decimal("0.03")  # Amazon's cost below the PO's net cost
CHARGEBACK_SHARE = Decimal("0.02")  # of the shipment's cost of goods
CHARGEBACK_MINIMUM = Decimal("1.00")
HALF_REVERSED_EVERY = 3  # of the wrong claims disputed: every third is paid back by half

SHORTAGE, PRICE_CLAIM, CHARGEBACK = "SHORTAGE", "PRICE_CLAIM", "CHARGEBACK"
ASN_ACCURACY = "Chargeback: ASN accuracy"
LATE_ASN = "Chargeback: late ASN"


@dataclass(frozen=True)
class Carton:
    """One carton of an accepted ASN: what the ASN said and what the FC counted."""

    sscc: str
    asin: str
    asn_units: int
    received_units: int


@dataclass(frozen=True)
class Receipt:
    """What Amazon received against one invoice: the ASN of the shipment it bills."""

    shipment_id: str
    po: str
    cartons: tuple[Carton, ...]
    cost_of_goods: Decimal  # units on the ASN x the PO's net cost

    @property
    def asn_units(self) -> int:
        return sum(c.asn_units for c in self.cartons)

    @property
    def short_cartons(self) -> list[Carton]:
        return [c for c in self.cartons if c.received_units < c.asn_units]


class _Facts:
    """Amazon's view of shipments for one payment run: ASNs, PO costs, the cartons' contents."""

    def __init__(self, state: AmazonSandboxState, warehouse: SandboxStore | None) -> None:
        self.state = state
        self.orders = state.rp_orders()
        self.asns = state.store.all(ASNS)
        self.shipment_of: dict[str, str] = {}  # invoice -> shipment it bills (the fulfilment)
        self.missing: dict[str, int] = {}  # SSCC -> units the carton held fewer than recorded
        for plan in warehouse_plan(warehouse) if warehouse is not None else []:
            for invoice, fulfilment in zip(plan["invoices"], plan["fulfilments"], strict=False):
                self.shipment_of[invoice["tranId"]] = fulfilment["tranId"]
            for defect in plan["defects"]:
                if defect["kind"] == "short_packed":
                    self.missing[defect["sscc"]] = int(defect["missing"])

    def net_cost(self, po: str, asin: str) -> Decimal | None:
        doc = self.orders.get(po)
        for item in doc["order"]["orderDetails"]["items"] if doc else []:
            if item.get("amazonProductIdentifier") == asin and item.get("netCost"):
                return Decimal(str(item["netCost"]["amount"]))
        return None

    def _asin(self, po: str, shipped: dict[str, Any]) -> str:
        if shipped.get("amazonProductIdentifier"):
            return shipped["amazonProductIdentifier"]
        doc = self.orders.get(po)
        sku = shipped.get("vendorProductIdentifier")
        for item in doc["order"]["orderDetails"]["items"] if doc else []:
            if sku and item.get("vendorProductIdentifier") == sku:
                return item.get("amazonProductIdentifier") or ""
        return ""

    def receipt(self, invoice: SandboxInvoice) -> Receipt | None:
        record = self._asn_of(invoice)
        if record is None:
            return None
        body = record["body"]
        po = invoice.po_number
        asin_of = {
            item["itemSequenceNumber"]: self._asin(po, item) for item in body["shippedItems"]
        }
        cost = Decimal("0")
        for item in body["shippedItems"]:
            unit = self.net_cost(po, asin_of[item["itemSequenceNumber"]]) or Decimal("0")
            cost += unit * eaches(item["shippedQuantity"])
        cartons = []
        for carton in body.get("cartons") or []:
            sscc = next(
                (
                    i["containerIdentificationNumber"]
                    for i in carton.get("cartonIdentifiers") or []
                    if i.get("containerIdentificationType") == "SSCC"
                ),
                "",
            )
            for item in carton.get("items") or []:
                units = eaches(item["shippedQuantity"])
                cartons.append(
                    Carton(
                        sscc,
                        asin_of.get(item["itemReference"], ""),
                        units,
                        max(units - self.missing.get(sscc, 0), 0),
                    )
                )
        return Receipt(record["shipmentIdentifier"], po, tuple(cartons), cents(cost))

    def _asn_of(self, invoice: SandboxInvoice) -> dict[str, Any] | None:
        """The accepted ASN of the shipment the invoice bills: the NetSuite fulfilment it was
        transformed from, else (no warehouse records) the first ASN of its PO that shipped
        exactly the invoiced units."""
        vendor = invoice.vendor_code
        shipment = self.shipment_of.get(invoice.invoice_number)
        if shipment is not None:
            return next(
                (a for a in self.asns if a["key"] == f"{vendor}:{shipment}"),
                None,
            )
        invoiced = {line.asin: line.quantity for line in invoice.lines}
        candidates = [
            a for a in self.asns if a["vendor"] == vendor and invoice.po_number in a["quantities"]
        ]
        for record in candidates:
            po = invoice.po_number
            shipped = {
                self._asin(po, item): eaches(item["shippedQuantity"])
                for item in record["body"]["shippedItems"]
            }
            if shipped == invoiced:
                return record
        return candidates[0] if candidates else None


def _chargeback_reference(seed: int, shipment_id: str, cause: str) -> str:
    """Amazon's debit note id, `<8 digits>VCBSINV`, fixed by what it charges back."""
    digest = int(hashlib.sha256(f"{seed}:{shipment_id}:{cause}".encode()).hexdigest()[:12], 16)
    return f"{10**7 + digest % (9 * 10**7)}VCBSINV"


def _chargeback_amount(receipt: Receipt) -> Decimal:
    return max(cents(receipt.cost_of_goods * CHARGEBACK_SHARE), CHARGEBACK_MINIMUM)


def _claim(
    invoice: SandboxInvoice,
    payment_number: str,
    *,
    reference: str,
    kind: str,
    truth: str,
    cause: str,
    asin: str | None,
    units: int | None,
    amount: Decimal,
    sscc: str | None = None,
) -> dict[str, Any]:
    return {
        "reference": reference,
        "kind": kind,
        "truth": truth,
        "cause": cause,
        "invoice": invoice.invoice_number,
        "po": invoice.po_number,
        "asin": asin,
        "units": units,
        "amount": str(amount),
        "sscc": sscc,
        "payment": payment_number,
        "vendor_code": invoice.vendor_code,
        "currency": invoice.currency,
    }


def _claims_on(
    facts: _Facts,
    invoice: SandboxInvoice,
    payment_number: str,
    seed: int,
) -> list[dict[str, Any]]:
    store = facts.state.store
    receipt = facts.receipt(invoice)
    lines = {line.asin: line for line in invoice.lines}
    claims: list[dict[str, Any]] = []
    paid = store.next_value(PAID_ORDINAL, 1)
    short = receipt.short_cartons if receipt else []
    if receipt is not None and short and short[0].asin in lines:
        carton = short[0]
        missing = carton.asn_units - carton.received_units
        claims.append(
            _claim(
                invoice,
                payment_number,
                reference=f"{invoice.invoice_number}SC",
                kind=SHORTAGE,
                truth="right",
                cause="short_packed_carton",
                asin=carton.asin,
                units=missing,
                amount=cents(lines[carton.asin].unit_cost * missing),
                sscc=carton.sscc,
            )
        )
        claims.append(
            _claim(
                invoice,
                payment_number,
                reference=_chargeback_reference(seed, receipt.shipment_id, "asn_units_differ"),
                kind=CHARGEBACK,
                truth="right",
                cause="asn_units_differ",
                asin=carton.asin,
                units=missing,
                amount=_chargeback_amount(receipt),
                sscc=carton.sscc,
            )
        )
    else:
        other = store.next_value(OTHER_ORDINAL, 1)
        if other % MISCOUNT_EVERY == 0:
            line = invoice.lines[other // MISCOUNT_EVERY % len(invoice.lines)]
            units = min(1 + other % 2, line.quantity)
            cartons = receipt.cartons if receipt else ()
            carton = next((c for c in cartons if c.asin == line.asin), None)
            claims.append(
                _claim(
                    invoice,
                    payment_number,
                    reference=f"{invoice.invoice_number}SC",
                    kind=SHORTAGE,
                    truth="wrong",
                    cause="receiving_miscount",
                    asin=line.asin,
                    units=units,
                    amount=cents(line.unit_cost * units),
                    sscc=carton.sscc if carton else None,
                )
            )
    if paid % COST_UPDATE_EVERY == 0:
        line = invoice.lines[paid // COST_UPDATE_EVERY % len(invoice.lines)]
        po_cost = facts.net_cost(invoice.po_number, line.asin) or line.unit_cost
        amazon_cost = cents(po_cost * (1 - COST_UPDATE_SHARE))
        amount = cents(line.quantity * (line.unit_cost - amazon_cost))
        if amount > 0:
            claims.append(
                _claim(
                    invoice,
                    payment_number,
                    reference=invoice.invoice_number,
                    kind=PRICE_CLAIM,
                    truth="wrong",
                    cause="amazon_cost_update",
                    asin=line.asin,
                    units=line.quantity,
                    amount=amount,
                )
            )
    charged = any(c["kind"] == CHARGEBACK for c in claims)
    if receipt is not None and paid % LATE_ASN_EVERY == 0 and not charged:
        claims.append(
            _claim(
                invoice,
                payment_number,
                reference=_chargeback_reference(seed, receipt.shipment_id, "asn_late_claimed"),
                kind=CHARGEBACK,
                truth="wrong",
                cause="asn_late_claimed",
                asin=None,
                units=receipt.asn_units,
                amount=_chargeback_amount(receipt),
            )
        )
    return claims


def raise_claims(
    state: AmazonSandboxState,
    invoices: list[SandboxInvoice],
    payment_number: str,
    seed: int,
    warehouse: SandboxStore | None = None,
) -> list[SandboxRemitItem]:
    """The claims Amazon takes on the invoices one payment settles, as remittance lines; each
    is recorded in `amazon.claims`. `warehouse` is the NetSuite store whose warehouse plan says
    what the cartons really held (without it Amazon's FC finds every carton as the ASN said)."""
    facts = _Facts(state, warehouse)
    items = []
    for invoice in invoices:
        for claim in _claims_on(facts, invoice, payment_number, seed):
            state.store.put(CLAIMS, claim["reference"], claim)
            items.append(claim_line(claim))
    return items


def claim_line(claim: dict[str, Any]) -> SandboxRemitItem:
    """A claim as the remittance line Amazon deducts it with."""
    amount = -Decimal(claim["amount"])
    if claim["kind"] == SHORTAGE:
        return SandboxRemitItem(
            "deduction",
            claim["reference"],
            amount,
            "SHORTAGE",
            description="Shortage claim",
            transaction_type="Invoice",
            po_number=claim["po"],
        )
    if claim["kind"] == PRICE_CLAIM:
        # In the 820 an ADX 01 inside the invoice's RMR loop; in the export a line on the invoice.
        return SandboxRemitItem(
            "adx_in_invoice",
            claim["invoice"],
            amount,
            "PRICE_CLAIM",
            description="Price variance",
            transaction_type="Financial Debit Note Invoice",
            reason="01",
            po_number=claim["po"],
        )
    late = claim["cause"] == "asn_late_claimed"
    return SandboxRemitItem(
        "deduction",
        claim["reference"],
        amount,
        "CHARGEBACK",
        description=LATE_ASN if late else ASN_ACCURACY,
        transaction_type="Financial Debit Note Invoice",
        # The 820 carries no description: its RMR07 (X12 426) says which chargeback it is,
        # 70 ASN not received (in time), 06 quantity contested (ASN units vs received).
        reason="70" if late else "06",
        po_number=claim["po"],
    )


def reversal_line(claim: dict[str, Any], amount: Decimal) -> SandboxRemitItem:
    """Money Amazon pays back on a claim (`amount` positive)."""
    if claim["kind"] == SHORTAGE:
        return SandboxRemitItem(
            "deduction",
            f"{claim['reference']}R",
            amount,
            "SHORTAGE_REVERSAL",
            description="Shortage claim reversal",
            transaction_type="Invoice",
            po_number=claim["po"],
        )
    if claim["kind"] == PRICE_CLAIM:
        # ENT-level (free-floating) ADX in the 820: the invoice was paid by an earlier payment.
        return SandboxRemitItem(
            "adx_ent",
            claim["invoice"],
            amount,
            "PRICE_CLAIM_REVERSAL",
            description="Price variance reversal",
            transaction_type="Invoice",
            reason="01",
            po_number=claim["po"],
        )
    return SandboxRemitItem(
        "deduction",
        claim["reference"],
        amount,
        "CHARGEBACK",
        description="Chargeback reversal",
        transaction_type="Invoice",
        po_number=claim["po"],
    )


def claims_made(store: SandboxStore) -> list[dict[str, Any]]:
    """Every claim Amazon took, in order: reference, kind, truth, cause, invoice, po, asin,
    units, amount (a decimal string, positive), sscc, payment (plus vendor_code, currency)."""
    return store.all(CLAIMS)


def _store_of(state_or_store: AmazonSandboxState | SandboxStore) -> SandboxStore:
    if isinstance(state_or_store, AmazonSandboxState):
        return state_or_store.store
    return state_or_store


def receive_disputes(
    state_or_store: AmazonSandboxState | SandboxStore, references: list[str], day: date
) -> int:
    """A person uploaded dispute packets in Vendor Central on `day` for these claim references
    (`<invoice>SC`, the invoice number of a price claim, the VCBSINV id); returns how many were
    new disputes of claims Amazon took. A claim is disputed once: a repeat upload is ignored, and
    so is a dispute of a claim the vendor accepted with a credit note."""
    store = _store_of(state_or_store)
    settled = settled_claims(store)
    received = 0
    with store.transaction():
        for reference in references:
            reference = reference.strip()
            if store.get(CLAIMS, reference) is None or store.get(DISPUTES, reference):
                continue
            if reference in settled:
                continue  # the vendor accepted this claim with a credit note
            store.put(
                DISPUTES,
                reference,
                {"reference": reference, "received_on": day.isoformat(), "decision": None},
            )
            received += 1
    return received


def credit_notes_received(store: SandboxStore) -> list[dict[str, Any]]:
    """Every credit note Amazon matched to a claim it took, one row per claim settled:
    credit_note, debit_note (the claim's reference), reference_invoice, amount (decimal
    string), currency, vendor_code, the claim's kind and truth, received_at. Such a credit note
    moves no money: Amazon netted the claim already."""
    return store.all(CREDIT_NOTES)


def disputes_received(store: SandboxStore) -> list[dict[str, Any]]:
    """Every dispute Amazon received: reference, received_on and its decision (None until the
    next payment run decides it; then outcome `reversed` | `partly_reversed` | `denied` |
    `withdrawn` (the vendor credited the claim meanwhile), amount (decimal string, 0 when
    denied or withdrawn), decided_on, payment (None when denied or withdrawn))."""
    return store.all(DISPUTES)


def withdraw_settled_disputes(store: SandboxStore, day: date) -> int:
    """Close, at a payment run on `day`, the undecided disputes of claims the vendor settled
    with a credit note since it disputed them: by crediting the claim it accepted it, so Amazon
    pays nothing back on it (else the claim's money would move twice). Returns how many."""
    settled = settled_claims(store)
    closed = 0
    with store.transaction():
        for dispute in store.all(DISPUTES):
            reference = dispute["reference"]
            if dispute["decision"] is not None or reference not in settled:
                continue
            if date.fromisoformat(dispute["received_on"]) > day:
                continue
            dispute["decision"] = {
                "outcome": "withdrawn",
                "amount": "0.00",
                "payment": None,
                "credit_note": settled[reference],
                "decided_on": day.isoformat(),
            }
            store.put(DISPUTES, reference, dispute)
            closed += 1
    return closed


def disputes_due(store: SandboxStore, vendor_code: str, day: date) -> list[dict[str, Any]]:
    """Undecided disputes of a vendor code received on or before `day`, with their claims."""
    due = []
    for dispute in store.all(DISPUTES):
        if dispute["decision"] is not None or date.fromisoformat(dispute["received_on"]) > day:
            continue
        claim = store.get(CLAIMS, dispute["reference"])
        if claim is not None and claim["vendor_code"] == vendor_code:
            due.append({"dispute": dispute, "claim": claim})
    return due


def vendors_with_disputes_due(store: SandboxStore, day: date) -> set[str]:
    """Vendor codes with a dispute Amazon decides at a payment run on `day`."""
    vendors = set()
    for dispute in store.all(DISPUTES):
        if dispute["decision"] is None and date.fromisoformat(dispute["received_on"]) <= day:
            claim = store.get(CLAIMS, dispute["reference"])
            if claim is not None:
                vendors.add(claim["vendor_code"])
    return vendors


def decide_disputes(
    store: SandboxStore, due: list[dict[str, Any]], day: date, payment_number: str | None
) -> list[SandboxRemitItem]:
    """Amazon decides the disputes `due` (from `disputes_due`): the reversal lines of the wrong
    claims, to go on payment `payment_number` (needed when any claim is wrong)."""
    items = []
    for entry in due:
        dispute, claim = entry["dispute"], entry["claim"]
        claimed = Decimal(claim["amount"])
        if claim["truth"] == "wrong":
            assert payment_number is not None, "a reversal needs the payment that carries it"
            half = store.next_value(WRONG_DECIDED, 1) % HALF_REVERSED_EVERY == 0
            amount = cents(claimed / 2) if half else claimed
            line = reversal_line(claim, amount)
            items.append(line)
            decision = {
                "outcome": "partly_reversed" if half else "reversed",
                "amount": str(amount),
                "reversal_reference": line.reference,
                "payment": payment_number,
            }
        else:
            decision = {"outcome": "denied", "amount": "0.00", "payment": None}
        dispute["decision"] = decision | {"decided_on": day.isoformat()}
        store.put(DISPUTES, dispute["reference"], dispute)
    return items
