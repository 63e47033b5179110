"""Credit notes that settle a claim, over HTTP against the sandbox's Amazon.

Orders of one vendor code go the whole way (acknowledged, shipped, invoiced, paid by the
sandbox's Amazon, which raises its claims as it pays); a shortage claim on the first invoice is
then accepted with a credit note naming it. Every request and answer is validated against
Amazon's models by the fixtures (`tests/amazon/conftest.py`).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from vendor_pipelines.amazon.models import invoices as inv
from vendor_pipelines.amazon.models import orders as rpo
from vendor_sandbox.amazon import builders
from vendor_sandbox.amazon.state import CLAIMS
from vendor_sandbox.amazon_claims import (
    credit_notes_received,
    disputes_received,
    receive_disputes,
)
from vendor_sandbox.amazon_payments import write_remittances

PAY_DAY = date(2026, 12, 2)


def _orders_of_one_vendor(client, sandbox, count: int) -> list[rpo.Order]:
    by_vendor: dict[str, list[rpo.Order]] = {}
    for po in sorted(sandbox.state.rp_orders()):
        order = client.get_purchase_order(po)
        if all((i.orderedQuantity.amount or 0) > 0 for i in order.orderDetails.items):
            by_vendor.setdefault(order.orderDetails.sellingParty.partyId, []).append(order)
    return next(orders[:count] for orders in by_vendor.values() if len(orders) >= count)


def _invoice(client, world, order: rpo.Order) -> inv.Invoice:
    """Acknowledged, shipped and invoiced over HTTP."""
    ack = client.submit_acknowledgements([builders.acknowledge_all(order)])
    assert client.wait_for_transaction(ack, budget_seconds=10).status == "Success"
    asn = builders.ship_all(order, world.warehouses[0].party_id)
    shipped = client.submit_shipment_confirmations([asn])
    assert client.wait_for_transaction(shipped, budget_seconds=10).status == "Success"
    invoice = builders.invoice_all(order)
    sent = client.submit_invoices([invoice])
    assert client.wait_for_transaction(sent, budget_seconds=10).status == "Success"
    return invoice


def _credit_note(
    number: str,
    invoice: inv.Invoice,
    debit_note: str | None,
    units: int = 1,
    unit_cost: Decimal | None = None,
    reference: str | None = None,
) -> inv.Invoice:
    """The credit note the product sends: one item of the invoice, naming the debit note."""
    item = invoice.items[0]
    cost = unit_cost if unit_cost is not None else item.netCost.amount
    return inv.Invoice(
        invoiceType=inv.InvoiceType.CreditNote,
        id=number,
        date=invoice.date,
        remitToParty=invoice.remitToParty,
        invoiceTotal=inv.Money(currencyCode=invoice.invoiceTotal.currencyCode, amount=cost * units),
        items=[
            inv.InvoiceItem(
                itemSequenceNumber=1,
                amazonProductIdentifier=item.amazonProductIdentifier,
                vendorProductIdentifier=item.vendorProductIdentifier,
                invoicedQuantity=inv.ItemQuantity(amount=units, unitOfMeasure="Eaches"),
                netCost=inv.Money(currencyCode=invoice.invoiceTotal.currencyCode, amount=cost),
                creditNoteDetails=inv.CreditNoteDetails(
                    referenceInvoiceNumber=reference or invoice.id, debitNoteNumber=debit_note
                ),
            )
        ],
    )


def _answer(client, note: inv.Invoice):
    return client.wait_for_transaction(client.submit_invoices([note]), budget_seconds=10)


def _codes(txn) -> list[str]:
    return [error.code for error in txn.error_list]


@pytest.fixture
def paid(sandbox, client, world, tmp_path: Path):
    """Two invoices paid, a right shortage claim of one unit on the first one, and a third
    order of the same vendor code not invoiced yet."""
    first, second, third = _orders_of_one_vendor(client, sandbox, 3)
    invoice = _invoice(client, world, first)
    _invoice(client, world, second)
    files = write_remittances(sandbox.state, tmp_path / "inbox", PAY_DAY)
    assert files, "Amazon paid the two invoices"
    reference = f"{invoice.id}SC"
    store = sandbox.state.store
    if store.get(CLAIMS, reference) is None:
        # Amazon's own rules raised none on this invoice: its receiving counted a unit short.
        item = invoice.items[0]
        store.put(
            CLAIMS,
            reference,
            {
                "reference": reference,
                "kind": "SHORTAGE",
                "truth": "right",
                "cause": "short_packed_carton",
                "invoice": invoice.id,
                "po": item.purchaseOrderNumber,
                "asin": item.amazonProductIdentifier,
                "units": 1,
                "amount": str(item.netCost.amount),
                "sscc": None,
                "payment": "paid earlier",
                "vendor_code": invoice.remitToParty.partyId,
                "currency": invoice.invoiceTotal.currencyCode,
            },
        )
    claim = store.get(CLAIMS, reference)
    return invoice, claim, files, tmp_path / "inbox", third


def test_a_credit_note_naming_the_claim_is_matched_and_moves_no_money(sandbox, client, world, paid):
    invoice, claim, files, inbox, third = paid
    claimed = Decimal(claim["amount"])
    unit = invoice.items[0].netCost.amount
    units = max(int(claimed / unit), 1) if claimed >= unit else 1
    cost = unit if claimed >= unit else claimed
    note = _credit_note("CN-1", invoice, claim["reference"], units=units, unit_cost=cost)
    txn = _answer(client, note)
    assert txn.status == "Success", txn.error_list
    (matched,) = credit_notes_received(sandbox.state.store)
    assert matched["credit_note"] == "CN-1" and matched["debit_note"] == claim["reference"]
    assert matched["reference_invoice"] == invoice.id
    assert Decimal(matched["amount"]) == cost * units <= claimed
    assert (matched["truth"], matched["vendor_code"]) == (
        claim["truth"],
        invoice.remitToParty.partyId,
    )

    # Amazon's next payment run pays nothing for it and deducts nothing again: with one new
    # invoice beside it (a payment needs two), there is nothing to pay yet.
    _invoice(client, world, third)
    later = write_remittances(sandbox.state, inbox, PAY_DAY + timedelta(days=7))
    assert later == []
    every_file = "".join(path.read_text() for path in inbox.iterdir())
    assert "CN-1" not in every_file
    assert sorted(path.name for path in inbox.iterdir()) == sorted(path.name for path in files)

    # The vendor accepted the claim: a dispute uploaded for it afterwards is ignored.
    assert receive_disputes(sandbox.state, [claim["reference"]], PAY_DAY + timedelta(days=8)) == 0
    assert all(d["reference"] != claim["reference"] for d in disputes_received(sandbox.state.store))

    # One credit note per claim.
    again = _answer(client, _credit_note("CN-2", invoice, claim["reference"], unit_cost=cost))
    assert (again.status, _codes(again)) == ("Failure", ["DEBIT_NOTE_ALREADY_SETTLED"])


def test_a_credit_note_amazon_cannot_match_is_refused_with_its_reason(sandbox, client, paid):
    invoice, claim, *_ = paid
    claimed = Decimal(claim["amount"])
    unit = invoice.items[0].netCost.amount
    refusals = {
        "INVALID_REFERENCE_INVOICE": _credit_note(
            "CN-10", invoice, claim["reference"], reference="INV-NEVER-SENT"
        ),
        "INVALID_DEBIT_NOTE": _credit_note("CN-11", invoice, f"{invoice.id}SCX"),
        "CREDIT_EXCEEDS_CLAIM": _credit_note(
            "CN-12", invoice, claim["reference"], units=int(claimed / unit) + 1, unit_cost=unit
        ),
    }
    for code, note in refusals.items():
        txn = _answer(client, note)
        assert (txn.status, _codes(txn)) == ("Failure", [code]), note.id
    # A credit note that settles no debit note is not modelled by the sandbox: refused, saying so.
    bare = _answer(client, _credit_note("CN-13", invoice, None))
    assert (bare.status, _codes(bare)) == ("Failure", ["INVALID_DEBIT_NOTE"])
    assert "debitNoteNumber is required" in bare.error_list[0].message
    assert credit_notes_received(sandbox.state.store) == []
