"""Amazon's side of a credit note that settles a claim it took, over HTTP.

One vendor code's orders go the whole way through the product's Amazon client (acknowledged,
shipped, invoiced) and the sandbox's Amazon pays them, raising its claims from its own facts.
The credit notes are the bodies the product builds (`disputes.credit_notes.rp_credit_note`),
sent with the product's client; every expectation comes from the sandbox's ground truth
(`claims_made`, `credit_notes_received`, `disputes_received`, the remittance files it wrote).

Without the NetSuite warehouse no carton is packed short, so every claim here is one the
sandbox knows to be wrong; Amazon matches a credit note to a claim whatever its truth (the
vendor's judgement is the product's, not Amazon's), and records the truth beside it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from vendor_pipelines.amazon.client import AmazonVendorClient
from vendor_pipelines.amazon.models import orders as rpo
from vendor_pipelines.disputes.credit_notes import rp_credit_note
from vendor_pipelines.finance.classification import classes_of
from vendor_pipelines.remittance import RemittanceDocument, parse_remittance
from vendor_sandbox.amazon import builders
from vendor_sandbox.amazon.state import AmazonSandboxState
from vendor_sandbox.amazon_claims import (
    claims_made,
    credit_notes_received,
    disputes_received,
    receive_disputes,
)
from vendor_sandbox.amazon_payments import PAID, write_remittances
from vendor_sandbox.embedded import RunningSandbox, start_sandbox
from vendor_sandbox.identity import sandbox_amazon_client

PAY_DAY = date.today()
INVOICED = 30  # five payments of six: enough claims of every kind for every test below
SPARE = 2  # orders kept back for a later payment run (a payment needs two invoices)
CLAIM_CLASSES = {
    "SHORTAGE",
    "SHORTAGE_REVERSAL",
    "PRICE_CLAIM",
    "PRICE_CLAIM_REVERSAL",
    "CHARGEBACK",
}


@dataclass
class Paid:
    """A sandbox whose Amazon paid one vendor code's invoices, and what the tests took of it."""

    sandbox: RunningSandbox
    client: AmazonVendorClient
    state: AmazonSandboxState
    inbox: Path
    vendor: str
    spare: list[rpo.Order]
    other_vendor_invoice: str
    taken: set[str] = field(default_factory=set)

    @property
    def store(self):
        return self.sandbox.amazon_store

    def invoice_body(self, number: str) -> dict[str, Any]:
        """The invoice as Amazon received it."""
        return next(e["body"] for e in self.state.received("rp_invoices") if e["ref"] == number)

    def fresh_claim(self, kind: str | None = None) -> dict[str, Any]:
        """A claim of the vendor code no test has credited or disputed yet (each test its own,
        so the tests hold whatever order they run in)."""
        settled = {c["debit_note"] for c in credit_notes_received(self.store)}
        disputed = {d["reference"] for d in disputes_received(self.store)}
        for claim in claims_made(self.store):
            reference = claim["reference"]
            if claim["vendor_code"] != self.vendor or (kind and claim["kind"] != kind):
                continue
            if reference in self.taken | settled | disputed:
                continue
            self.taken.add(reference)
            return claim
        raise AssertionError(f"no {kind or ''} claim left to settle")

    def pay(self, day: date) -> list[Path]:
        return write_remittances(self.state, self.inbox, day)

    def documents(self) -> list[RemittanceDocument]:
        """Every remittance file Amazon wrote so far, read by the product's parsers."""
        return [parse_remittance(p.read_bytes()) for p in sorted(self.inbox.iterdir())]


def _whole_orders(client: AmazonVendorClient, state: AmazonSandboxState) -> dict[str, list]:
    """Orders whose every line Amazon wants units of, by vendor code."""
    by_vendor: dict[str, list[rpo.Order]] = {}
    for po in sorted(state.rp_orders()):
        order = client.get_purchase_order(po)
        if all((i.orderedQuantity.amount or 0) > 0 for i in order.orderDetails.items):
            by_vendor.setdefault(order.orderDetails.sellingParty.partyId, []).append(order)
    return by_vendor


def _invoice(client: AmazonVendorClient, ship_from: str, order: rpo.Order) -> str:
    """Acknowledged, shipped and invoiced in full over HTTP; the invoice number."""
    ack = client.submit_acknowledgements([builders.acknowledge_all(order)])
    client.wait_for_transaction(ack, budget_seconds=10, raise_on_failure=True)
    asn = client.submit_shipment_confirmations([builders.ship_all(order, ship_from)])
    client.wait_for_transaction(asn, budget_seconds=10, raise_on_failure=True)
    invoice = builders.invoice_all(order)
    sent = client.submit_invoices([invoice])
    client.wait_for_transaction(sent, budget_seconds=10, raise_on_failure=True)
    return invoice.id


@pytest.fixture(scope="module")
def paid(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Paid]:
    sandbox = start_sandbox(None, seed=11, scale="small")
    client = sandbox_amazon_client(sandbox.amazon_url)
    state = AmazonSandboxState(sandbox.amazon_store, sandbox.world)
    try:
        orders = _whole_orders(client, state)
        vendor, other = sorted(orders, key=lambda v: -len(orders[v]))[:2]
        assert len(orders[vendor]) >= INVOICED + SPARE and len(orders[other]) >= 2
        ship_from = sandbox.world.warehouses[0].party_id
        for order in orders[vendor][:INVOICED]:
            _invoice(client, ship_from, order)
        other_invoices = [_invoice(client, ship_from, o) for o in orders[other][:2]]
        inbox = tmp_path_factory.mktemp("credit_notes") / "inbox"
        assert write_remittances(state, inbox, PAY_DAY), "Amazon paid the invoices"
        yield Paid(
            sandbox,
            client,
            state,
            inbox,
            vendor,
            spare=orders[vendor][INVOICED : INVOICED + SPARE],
            other_vendor_invoice=other_invoices[0],
        )
    finally:
        client.close()
        sandbox.stop()


def _credit_note(
    paid: Paid,
    claim: dict[str, Any],
    number: str,
    *,
    amount: Decimal | None = None,
    reference_invoice: str | None = None,
    debit_note: str | None = "claim's",
) -> dict[str, Any]:
    """The product's credit note for a claim: a shortage's units at the invoice's unit cost,
    else (or with another `amount`) one unit at the amount credited."""
    invoice = paid.invoice_body(claim["invoice"])
    item = next(
        (i for i in invoice["items"] if i["amazonProductIdentifier"] == claim["asin"]),
        invoice["items"][0],
    )
    unit_cost = Decimal(str(item["netCost"]["amount"]))
    claimed = Decimal(claim["amount"])
    by_unit = (
        amount is None and claim["kind"] == "SHORTAGE" and unit_cost * claim["units"] == claimed
    )
    units = claim["units"] if by_unit else 1
    credited = claimed if amount is None else amount
    return rp_credit_note(
        {
            "credit_note_id": number,
            "case_id": number.removeprefix("CN-"),
            "credit_date": PAY_DAY,
            "vendor_code": invoice["remitToParty"]["partyId"],
            "currency": claim["currency"],
            "amount": credited,
            "asin": item["amazonProductIdentifier"],
            "vendor_sku": item["vendorProductIdentifier"],
            "units": units,
            "unit_amount": unit_cost if by_unit else credited,
            "reference_invoice_number": reference_invoice or claim["invoice"],
            "debit_note_number": claim["reference"] if debit_note == "claim's" else debit_note,
        }
    )


def _send(paid: Paid, *notes: dict[str, Any]):
    """Amazon's answer to one submitInvoices of these credit notes."""
    return paid.client.wait_for_transaction(
        paid.client.submit_invoices(list(notes)), budget_seconds=10
    )


def _codes(transaction) -> list[str]:
    return [error.code for error in transaction.error_list or []]


def _settlement_of(paid: Paid, reference: str) -> list[dict[str, Any]]:
    return [c for c in credit_notes_received(paid.store) if c["debit_note"] == reference]


@pytest.mark.parametrize("kind", ["SHORTAGE", "PRICE_CLAIM"])
def test_a_credit_note_naming_the_claim_is_accepted_and_recorded_with_it(paid, kind) -> None:
    claim = paid.fresh_claim(kind)
    number = f"CN-ACCEPT-{claim['reference']}"
    note = _credit_note(paid, claim, number)
    answer = _send(paid, note)
    assert answer.status == "Success", answer.error_list
    (settlement,) = _settlement_of(paid, claim["reference"])
    assert settlement["credit_note"] == number
    assert settlement["reference_invoice"] == claim["invoice"]
    assert Decimal(settlement["amount"]) == Decimal(claim["amount"])
    assert Decimal(note["invoiceTotal"]["amount"]) == Decimal(claim["amount"])
    assert (settlement["currency"], settlement["vendor_code"]) == (
        claim["currency"],
        claim["vendor_code"],
    )
    assert (settlement["kind"], settlement["truth"]) == (claim["kind"], claim["truth"])
    assert settlement["received_at"]
    # What the product sent is what Amazon received: no purchase order on a credit note's item.
    (entry,) = [e for e in paid.state.received("rp_invoices") if e["ref"] == number]
    assert entry["body"]["invoiceType"] == "CreditNote" and entry["refs"] == []


def _unknown_reference(paid: Paid, claim: dict[str, Any]) -> dict[str, Any]:
    return _credit_note(paid, claim, f"CN-R1-{claim['reference']}", reference_invoice="INV-NONE")


def _other_vendors_invoice(paid: Paid, claim: dict[str, Any]) -> dict[str, Any]:
    return _credit_note(
        paid, claim, f"CN-R2-{claim['reference']}", reference_invoice=paid.other_vendor_invoice
    )


def _unknown_debit_note(paid: Paid, claim: dict[str, Any]) -> dict[str, Any]:
    return _credit_note(paid, claim, f"CN-R3-{claim['reference']}", debit_note="NOSUCHCLAIMSC")


def _debit_note_of_another_invoice(paid: Paid, claim: dict[str, Any]) -> dict[str, Any]:
    other = next(
        c
        for c in claims_made(paid.store)
        if c["vendor_code"] == paid.vendor and c["invoice"] != claim["invoice"]
    )
    return _credit_note(paid, claim, f"CN-R4-{claim['reference']}", debit_note=other["reference"])


def _above_the_claim(paid: Paid, claim: dict[str, Any]) -> dict[str, Any]:
    above = Decimal(claim["amount"]) + Decimal("1.00")
    return _credit_note(paid, claim, f"CN-R5-{claim['reference']}", amount=above)


def _no_debit_note(paid: Paid, claim: dict[str, Any]) -> dict[str, Any]:
    return _credit_note(paid, claim, f"CN-R6-{claim['reference']}", debit_note=None)


@pytest.mark.parametrize(
    ("build", "code"),
    [
        (_unknown_reference, "INVALID_REFERENCE_INVOICE"),
        (_other_vendors_invoice, "INVALID_REFERENCE_INVOICE"),
        (_unknown_debit_note, "INVALID_DEBIT_NOTE"),
        (_debit_note_of_another_invoice, "INVALID_DEBIT_NOTE"),
        (_above_the_claim, "CREDIT_EXCEEDS_CLAIM"),
        (_no_debit_note, "INVALID_DEBIT_NOTE"),
    ],
)
def test_a_credit_note_amazon_cannot_match_fails_with_its_code(paid, build, code) -> None:
    claim = paid.fresh_claim()
    note = build(paid, claim)
    answer = _send(paid, note)
    assert (answer.status, _codes(answer)) == ("Failure", [code])
    if build is _no_debit_note:
        # A sandbox limitation, said as such: only credit notes that settle a claim are modelled.
        message = answer.error_list[0].message
        assert "debitNoteNumber is required" in message and "settle a claim" in message
    assert not _settlement_of(paid, claim["reference"])
    assert not [c for c in credit_notes_received(paid.store) if c["credit_note"] == note["id"]]
    # Refused, the claim is still there to settle.
    accepted = _send(paid, _credit_note(paid, claim, f"CN-AFTER-{note['id']}"))
    assert accepted.status == "Success", accepted.error_list


def test_a_second_credit_note_on_a_settled_claim_fails(paid) -> None:
    claim = paid.fresh_claim()
    first = f"CN-FIRST-{claim['reference']}"
    assert _send(paid, _credit_note(paid, claim, first)).status == "Success"
    again = _send(paid, _credit_note(paid, claim, f"CN-AGAIN-{claim['reference']}"))
    assert (again.status, _codes(again)) == ("Failure", ["DEBIT_NOTE_ALREADY_SETTLED"])
    assert first in again.error_list[0].message
    assert [c["credit_note"] for c in _settlement_of(paid, claim["reference"])] == [first]


def test_two_credit_notes_on_one_claim_in_one_submission_fail(paid) -> None:
    claim = paid.fresh_claim()
    one = _credit_note(paid, claim, f"CN-ONE-{claim['reference']}")
    two = _credit_note(paid, claim, f"CN-TWO-{claim['reference']}")
    answer = _send(paid, one, two)
    assert (answer.status, _codes(answer)) == ("Failure", ["DEBIT_NOTE_ALREADY_SETTLED"])
    assert one["id"] in answer.error_list[0].message
    assert not _settlement_of(paid, claim["reference"])


def _claim_lines(documents: list[RemittanceDocument], claim: dict[str, Any]) -> list:
    """Every line of the claim's money, as the finance seed classifies the files: its
    deduction and anything paid back on it (not the payment of the invoice it was taken on)."""
    references = {claim["reference"], f"{claim['reference']}R"}
    lines = [line for doc in documents for line in doc.lines if line.reference in references]
    classes = classes_of(
        [(line.reference, line.amount, line.description, line.adjustment_reason) for line in lines]
    )
    return [line for line, cls in zip(lines, classes, strict=True) if cls in CLAIM_CLASSES]


def test_a_later_payment_run_neither_pays_the_credit_note_nor_nets_the_claim_again(paid) -> None:
    claim = paid.fresh_claim("SHORTAGE")
    number = f"CN-PAID-{claim['reference']}"
    assert _send(paid, _credit_note(paid, claim, number)).status == "Success"
    # Accepted and unpaid, it would be the kind of entry Amazon pays; two new invoices beside
    # it make a payment of their own, so the run has something to pay.
    entry = next(e for e in paid.state.received("rp_invoices") if e["ref"] == number)
    assert paid.state.transaction(entry["transactionId"])["outcome"] == "Success"
    ship_from = paid.sandbox.world.warehouses[0].party_id
    new = [_invoice(paid.client, ship_from, order) for order in paid.spare]
    before = set(paid.inbox.iterdir())
    assert set(paid.pay(PAY_DAY + timedelta(days=1))) - before, "the new invoices were paid"
    assert all(paid.store.get(PAID, number) for number in new)
    assert paid.store.get(PAID, number) is None

    documents = paid.documents()
    assert not [line for doc in documents for line in doc.lines if number in line.reference]
    lines = _claim_lines(documents, claim)
    # Once: one payment carries the deduction (the same payment may come in two formats).
    assert {line.payment_number for line in lines} == {claim["payment"]}
    assert {line.amount for line in lines} == {-Decimal(claim["amount"])}
    carrying = [doc for doc in documents if doc.lines_for(claim["payment"])]
    assert len(lines) == len(carrying)


def test_a_dispute_of_a_settled_claim_is_ignored(paid) -> None:
    settled, open_claim = paid.fresh_claim(), paid.fresh_claim()
    number = f"CN-DISPUTE-{settled['reference']}"
    assert _send(paid, _credit_note(paid, settled, number)).status == "Success"
    day = PAY_DAY + timedelta(days=2)
    received = receive_disputes(paid.store, [settled["reference"], open_claim["reference"]], day)
    assert received == 1
    disputed = {d["reference"] for d in disputes_received(paid.store)}
    assert open_claim["reference"] in disputed and settled["reference"] not in disputed


def test_a_claim_paid_back_in_part_is_credited_for_what_amazon_still_holds(paid) -> None:
    # Three wrong claims disputed: Amazon pays one of every three back by half.
    claims = [paid.fresh_claim() for _ in range(3)]
    assert {c["truth"] for c in claims} == {"wrong"}
    day = PAY_DAY + timedelta(days=3)
    assert receive_disputes(paid.store, [c["reference"] for c in claims], day) == 3
    paid.pay(day)
    decisions = {
        d["reference"]: d["decision"]
        for d in disputes_received(paid.store)
        if d["reference"] in {c["reference"] for c in claims}
    }
    assert all(decision is not None for decision in decisions.values())
    outcomes = {decision["outcome"] for decision in decisions.values()}
    assert "partly_reversed" in outcomes and "reversed" in outcomes
    for claim in claims:
        decision = decisions[claim["reference"]]
        held = Decimal(claim["amount"]) - Decimal(decision["amount"])
        tag = claim["reference"]
        whole = _send(paid, _credit_note(paid, claim, f"CN-WHOLE-{tag}"))
        assert (whole.status, _codes(whole)) == ("Failure", ["CREDIT_EXCEEDS_CLAIM"])
        if held == 0:  # paid back in full: nothing left to credit
            continue
        rest = _send(paid, _credit_note(paid, claim, f"CN-REST-{tag}", amount=held))
        assert rest.status == "Success", rest.error_list
        (settlement,) = _settlement_of(paid, claim["reference"])
        assert Decimal(settlement["amount"]) == held


def test_a_dispute_still_undecided_is_withdrawn_when_the_claim_is_credited(paid) -> None:
    claim = paid.fresh_claim("SHORTAGE")
    day = PAY_DAY + timedelta(days=4)
    assert receive_disputes(paid.store, [claim["reference"]], day) == 1
    number = f"CN-WITHDRAW-{claim['reference']}"
    assert _send(paid, _credit_note(paid, claim, number)).status == "Success"
    paid.pay(day)
    (dispute,) = [d for d in disputes_received(paid.store) if d["reference"] == claim["reference"]]
    assert dispute["decision"]["outcome"] == "withdrawn"
    assert (dispute["decision"]["amount"], dispute["decision"]["payment"]) == ("0.00", None)
    # Nothing paid back on a claim the vendor accepted: its money is the deduction alone.
    lines = _claim_lines(paid.documents(), claim)
    assert {line.amount for line in lines} == {-Decimal(claim["amount"])}
