"""Amazon's claims come from the sandbox's facts; disputes are decided at the next payment run.

The flow half runs a seeded week through the real assets over HTTP (orders, pick/pack, ASNs,
invoices), lets the simulated Amazon pay through the product's door (`sandbox_pays`), and holds
every claim against what the sandbox did: the warehouse plan (which carton was packed short),
the NetSuite records, the ASNs Amazon accepted. The files are read with the product's parsers
and classified by the finance seed. The pure half checks what needs no flow: the dispute
decisions, a payment made only of reversals, the fixed settlement's claims being replaced.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import dagster as dg
import pytest
from sandbox_flow import (
    FULFILMENT_ASSETS,
    ORDER_ASSETS,
    SandboxFlow,
    environment,
    sandbox_environment,
)

from vendor_pipelines.connections import sandbox_for, sandbox_pays, sandbox_receives_disputes
from vendor_pipelines.finance.classification import classes_of
from vendor_pipelines.remittance import RemittanceDocument, parse_remittance
from vendor_pipelines.settings import load_settings
from vendor_sandbox.amazon.state import ASNS, eaches
from vendor_sandbox.amazon_claims import (
    CLAIMS,
    claim_line,
    claims_made,
    decide_disputes,
    disputes_due,
    disputes_received,
    receive_disputes,
    reversal_line,
)
from vendor_sandbox.amazon_payments import PAID
from vendor_sandbox.netsuite.warehouse import warehouse_plan
from vendor_sandbox.remittance_files import (
    SandboxInvoice,
    SandboxInvoiceLine,
    SandboxPayment,
    cents,
    settlement_for_invoices,
)
from vendor_sandbox.remittance_writers import write_820, write_vc_payments_csv
from vendor_sandbox.store import SandboxStore

CLAIM_CLASSES = {"SHORTAGE", "PRICE_CLAIM", "CHARGEBACK"}


class ClaimsFlow(SandboxFlow):
    inbox: Path

    def plan(self) -> list[dict]:
        return warehouse_plan(self.sandbox.netsuite_store)

    def claims(self) -> list[dict]:
        return claims_made(self.sandbox.amazon_store)

    def pay(self, day: date) -> list[RemittanceDocument]:
        """Amazon pays on `day`; the files it wrote, parsed by the product's parsers."""
        before = set(self.inbox.glob("*")) if self.inbox.exists() else set()
        written = sandbox_pays(load_settings(), day)
        new = sorted(set(self.inbox.glob("*")) - before)
        assert len(new) == written
        return [parse_remittance(path.read_bytes()) for path in new]


@pytest.fixture(scope="module")
def flow(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ClaimsFlow]:
    root = tmp_path_factory.mktemp("amazon_claims")
    env = sandbox_environment(root, REMITTANCE_INBOX=str(root / "inbox"))
    with environment(env):
        from vendor_pipelines.definitions import defs

        flow = ClaimsFlow(root, defs(), sandbox_for(load_settings()))
        flow.inbox = root / "inbox"
        yield flow


PAY_DAY = date.today()


@pytest.fixture(scope="module")
def paid(flow: ClaimsFlow) -> list[RemittanceDocument]:
    """The week shipped and invoiced to the end, then Amazon's first payment run."""
    selection = dg.AssetSelection.assets(*ORDER_ASSETS, *FULFILMENT_ASSETS)
    for _ in range(4):
        assert flow.run_selection(selection).success
        if flow.plan() and all(p["done"] for p in flow.plan()):
            break
    assert flow.run_selection(selection).success  # invoices after the last ASNs
    documents = flow.pay(PAY_DAY)
    assert documents and flow.claims()
    return documents


def _short_packed(flow: ClaimsFlow) -> list[tuple[dict, dict]]:
    return [(p, d) for p in flow.plan() for d in p["defects"] if d["kind"] == "short_packed"]


def _asns(flow: ClaimsFlow) -> dict[str, dict]:
    """Accepted ASNs by shipment id (the NetSuite fulfilment's tranId)."""
    return {r["shipmentIdentifier"]: r for r in flow.sandbox.amazon_store.all(ASNS)}


def _invoices(flow: ClaimsFlow) -> dict[str, dict]:
    """Invoices Amazon accepted, by number, as submitted."""
    return {e["ref"]: e["body"] for e in flow.amazon.received("rp_invoices")}


def _invoiced(body: dict) -> dict[str, tuple[int, Decimal]]:
    """ASIN -> (units, unit cost) of an invoice as submitted."""
    return {
        i["amazonProductIdentifier"]: (
            int(i["invoicedQuantity"]["amount"]),
            Decimal(str(i["netCost"]["amount"])),
        )
        for i in body["items"]
    }


def _shipped(asn: dict) -> dict[str, int]:
    """ASIN -> units the ASN said were shipped."""
    return {
        i["amazonProductIdentifier"]: eaches(i["shippedQuantity"])
        for i in asn["body"]["shippedItems"]
    }


def _scale(unit_kg: Decimal, units: int) -> Decimal:
    """The warehouse scale: goods in lb plus 0.5 lb tare, to 0.1 lb (the contract's formula)."""
    return (unit_kg * units * Decimal("2.20462") + Decimal("0.5")).quantize(Decimal("0.1"))


def _lines_of(documents: list[RemittanceDocument], reference: str) -> list:
    return [line for doc in documents for line in doc.lines if line.reference == reference]


def test_a_short_packed_carton_weighs_short_but_every_record_says_full(flow, paid) -> None:
    short = _short_packed(flow)
    assert short, "the seeded week has a carton packed short"
    fulfilments = {f["tranId"]: f for f in flow.netsuite_records("itemFulfillment")}
    asns = _asns(flow)
    invoiced = set(_invoices(flow))
    for plan, defect in short:
        shipment = plan["fulfilments"][0]["tranId"]
        fulfilment = fulfilments[shipment]
        carton = next(
            p for p in fulfilment["package"]["items"] if p["packageCartonNumber"] == defect["sscc"]
        )
        line, units = (int(x) for x in carton["custpackage_contents"].split(":"))
        assert line == defect["orderLine"] and units >= 2
        item_line = next(i for i in fulfilment["item"]["items"] if i["orderLine"] == line)
        packed = sum(
            int(p["custpackage_contents"].split(":")[1])
            for p in fulfilment["package"]["items"]
            if int(p["custpackage_contents"].split(":")[0]) == line
        )
        assert int(item_line["quantity"]) == packed  # the picker scanned N, cartons say N
        item = flow.sandbox.world.item_by_sku(item_line["item"]["refName"])
        assert item is not None
        weight = Decimal(str(carton["packageWeight"]))
        assert weight == _scale(item.weight_kg, units - 1) != _scale(item.weight_kg, units)
        # Neither gate saw it: the ASN went out with the carton at N, and the invoice too.
        asn_carton = next(
            c
            for c in asns[shipment]["body"]["cartons"]
            if c["cartonIdentifiers"][0]["containerIdentificationNumber"] == defect["sscc"]
        )
        assert sum(eaches(i["shippedQuantity"]) for i in asn_carton["items"]) == units
        assert plan["invoices"][0]["tranId"] in invoiced
    held = flow.query(
        """select count(*) from ops.open_exceptions
           where exception_type in ('asn_validation_failed', 'asn_quantity_mismatch',
                                    'invoice_mismatch')
             and reference in (select unnest(?::varchar[]))""",
        [[p[kind][0]["tranId"] for p, _ in short for kind in ("fulfilments", "invoices")]],
    )
    assert held == [(0,)]


def test_a_short_packed_carton_is_a_right_shortage_of_its_unit_and_a_right_chargeback(
    flow, paid
) -> None:
    claims = flow.claims()
    invoices = _invoices(flow)
    asns = _asns(flow)
    for plan, defect in _short_packed(flow):
        invoice = plan["invoices"][0]["tranId"]
        if invoice not in {c["invoice"] for c in claims}:
            assert flow.sandbox.amazon_store.get(PAID, invoice) is None  # not paid yet
            continue
        shortage = next(c for c in claims if c["reference"] == f"{invoice}SC")
        unit_cost = _invoiced(invoices[invoice])[shortage["asin"]][1]
        assert (shortage["kind"], shortage["truth"], shortage["cause"]) == (
            "SHORTAGE",
            "right",
            "short_packed_carton",
        )
        assert (shortage["units"], shortage["sscc"]) == (defect["missing"], defect["sscc"])
        assert Decimal(shortage["amount"]) == cents(unit_cost * defect["missing"])
        chargeback = next(
            c for c in claims if c["invoice"] == invoice and c["cause"] == "asn_units_differ"
        )
        assert (chargeback["kind"], chargeback["truth"]) == ("CHARGEBACK", "right")
        assert chargeback["reference"].endswith("VCBSINV") and chargeback["sscc"] == defect["sscc"]
        asn = asns[plan["fulfilments"][0]["tranId"]]
        cost = sum(
            (q * _invoiced(invoices[invoice])[asin][1] for asin, q in _shipped(asn).items()),
            Decimal("0"),
        )
        assert Decimal(chargeback["amount"]) == max(cents(cost * Decimal("0.02")), Decimal("1"))


def test_wrong_claims_are_on_invoices_shipped_in_full(flow, paid) -> None:
    claims = flow.claims()
    invoices = _invoices(flow)
    asns = _asns(flow)
    plans = {inv["tranId"]: p for p in flow.plan() for inv in p["invoices"]}
    short_ssccs = {d["sscc"] for _, d in _short_packed(flow)}
    wrong = [c for c in claims if c["truth"] == "wrong"]
    assert {c["cause"] for c in wrong} == {
        "receiving_miscount",
        "amazon_cost_update",
        "asn_late_claimed",
    }
    for claim in wrong:
        invoice = invoices[claim["invoice"]]
        plan = plans[claim["invoice"]]
        batch = [i["tranId"] for i in plan["invoices"]].index(claim["invoice"])
        asn = asns[plan["fulfilments"][batch]["tranId"]]
        invoiced = _invoiced(invoice)
        # Shipped in full: the ASN carried every invoiced unit and no carton of it came short.
        assert {a: q for a, (q, _) in invoiced.items()} == _shipped(asn)
        cartons = [c["cartonIdentifiers"][0]["containerIdentificationNumber"]
                   for c in asn["body"]["cartons"]]  # fmt: skip
        assert not short_ssccs & set(cartons)
        if claim["cause"] == "receiving_miscount":
            assert claim["kind"] == "SHORTAGE" and claim["reference"] == f"{claim['invoice']}SC"
            assert 1 <= claim["units"] <= 2 and claim["units"] <= invoiced[claim["asin"]][0]
            unit_cost = invoiced[claim["asin"]][1]
            assert Decimal(claim["amount"]) == cents(unit_cost * claim["units"])
        elif claim["cause"] == "amazon_cost_update":
            assert claim["kind"] == "PRICE_CLAIM" and claim["reference"] == claim["invoice"]
            order = flow.amazon.rp_orders()[claim["po"]]["order"]["orderDetails"]["items"]
            net = next(
                Decimal(str(i["netCost"]["amount"]))
                for i in order
                if i["amazonProductIdentifier"] == claim["asin"]
            )
            units, rate = invoiced[claim["asin"]]
            assert rate == net  # our invoice carries the PO's net cost
            assert Decimal(claim["amount"]) == cents(units * (rate - cents(net * Decimal("0.97"))))
        else:
            assert claim["kind"] == "CHARGEBACK" and claim["reference"].endswith("VCBSINV")


def test_claim_counts_follow_the_paid_invoices(flow, paid) -> None:
    claims = flow.claims()
    paid_invoices = [
        e["ref"]
        for e in flow.amazon.received("rp_invoices")
        if flow.sandbox.amazon_store.get(PAID, e["ref"])
    ]
    short = {c["invoice"] for c in claims if c["cause"] == "short_packed_carton"}
    others = len(paid_invoices) - len(short)
    causes = [c["cause"] for c in claims]
    assert causes.count("receiving_miscount") == others // 3
    assert causes.count("amazon_cost_update") == len(paid_invoices) // 5
    assert causes.count("asn_units_differ") == len(short)
    late_turns = {paid_invoices[n - 1] for n in range(6, len(paid_invoices) + 1, 6)}
    assert causes.count("asn_late_claimed") == len(late_turns - short)


def test_the_files_parse_tie_and_classify_as_the_claims_say(flow, paid) -> None:
    claims = flow.claims()
    for document in paid:
        for payment in document.payments:
            lines = document.lines_for(payment.payment_number)
            assert payment.amount == sum((line.amount for line in lines), Decimal("0"))
    lines = [line for doc in paid for line in doc.lines]
    classes = classes_of(
        [(line.reference, line.amount, line.description, line.adjustment_reason) for line in lines]
    )
    by_line = list(zip(lines, classes, strict=True))
    formats = {doc.source_format for doc in paid}
    assert formats == {"x12_820", "vc_payments_csv"}
    for claim in claims:
        mine = [
            (line, cls)
            for line, cls in by_line
            if line.reference == claim["reference"] and cls in CLAIM_CLASSES
        ]
        # Once per file of its payment (an 820 may also come as its portal export).
        sent = [doc for doc in paid if doc.lines_for(claim["payment"])]
        assert sent and len(mine) == len(sent)
        for line, cls in mine:
            assert cls == claim["kind"]
            assert line.amount == -Decimal(claim["amount"])
            assert line.po_number == claim["po"]
            if claim["kind"] == "CHARGEBACK":
                late = claim["cause"] == "asn_late_claimed"
                assert line.description in (
                    None,
                    "Chargeback: late ASN" if late else "Chargeback: ASN accuracy",
                )
    # The other deduction types are still on every payment.
    assert {"COOP", "PROVISION", "RETURNS", "ADVERTISING"} <= set(classes)


@pytest.fixture(scope="module")
def decided(flow: ClaimsFlow, paid) -> list[RemittanceDocument]:
    """Every claim disputed (uploaded the day after the payment), then two payment runs: one on
    the payment day (before the uploads: nothing decided) and one the day after."""
    references = [c["reference"] for c in flow.claims()]
    settings = load_settings()
    assert sandbox_receives_disputes(settings, references, PAY_DAY + timedelta(days=1)) == len(
        references
    )
    assert sandbox_receives_disputes(settings, [*references, "NOSUCHCLAIM"], PAY_DAY) == 0
    flow.pay(PAY_DAY)
    assert all(d["decision"] is None for d in disputes_received(flow.sandbox.amazon_store))
    return flow.pay(PAY_DAY + timedelta(days=1))


def test_a_dispute_is_decided_at_the_next_payment_run(flow, decided) -> None:
    claims = {c["reference"]: c for c in flow.claims()}
    disputes = disputes_received(flow.sandbox.amazon_store)
    assert {d["reference"] for d in disputes} == set(claims)
    # Amazon decides vendor code by vendor code, each in the order the disputes came.
    wrong = sorted(
        (d for d in disputes if claims[d["reference"]]["truth"] == "wrong"),
        key=lambda d: claims[d["reference"]]["vendor_code"],
    )
    right = [d for d in disputes if claims[d["reference"]]["truth"] == "right"]
    assert wrong and right
    for dispute in right:
        assert dispute["decision"]["outcome"] == "denied"
    outcomes = [d["decision"]["outcome"] for d in wrong]
    assert outcomes == [
        "partly_reversed" if n % 3 == 0 else "reversed" for n in range(1, len(wrong) + 1)
    ]
    lines = [line for doc in decided for line in doc.lines]
    classes = classes_of(
        [(line.reference, line.amount, line.description, line.adjustment_reason) for line in lines]
    )
    expected_class = {
        "SHORTAGE": "SHORTAGE_REVERSAL",
        "PRICE_CLAIM": "PRICE_CLAIM_REVERSAL",
        "CHARGEBACK": "CHARGEBACK",
    }
    for dispute in wrong:
        claim = claims[dispute["reference"]]
        claimed = Decimal(claim["amount"])
        amount = Decimal(dispute["decision"]["amount"])
        assert amount == (cents(claimed / 2) if dispute["decision"]["outcome"] != "reversed"
                          else claimed)  # fmt: skip
        reference = f"{claim['reference']}R" if claim["kind"] == "SHORTAGE" else claim["reference"]
        found = [
            (line, cls)
            for line, cls in zip(lines, classes, strict=True)
            if line.reference == reference and line.amount > 0 and cls != "INVOICE_PAYMENT"
        ]
        assert len(found) == 1, reference
        line, cls = found[0]
        assert (cls, line.amount) == (expected_class[claim["kind"]], amount)
        assert line.payment_number == dispute["decision"]["payment"]
        if claim["kind"] == "SHORTAGE":
            assert line.links_to == claim["reference"] and line.po_number == claim["po"]
    # A denied claim has no line: nothing paid back on a right claim.
    for dispute in right:
        claim = claims[dispute["reference"]]
        if claim["kind"] == "SHORTAGE":
            assert not _lines_of(decided, f"{claim['reference']}R")
        else:
            assert not [x for x in _lines_of(decided, claim["reference"]) if x.amount > 0]
    for document in decided:
        for payment in document.payments:
            assert payment.amount == sum(
                (x.amount for x in document.lines_for(payment.payment_number)), Decimal("0")
            )


# --- pure ------------------------------------------------------------------------------------


def _claim(reference: str, kind: str, truth: str, amount: str, **extra: str) -> dict:
    invoice = extra.get("invoice", "INV7")
    return {
        "reference": reference,
        "kind": kind,
        "truth": truth,
        "cause": extra.get("cause", "receiving_miscount"),
        "invoice": invoice,
        "po": "PO7",
        "asin": "B000TEST01",
        "units": 1,
        "amount": amount,
        "sscc": None,
        "payment": "P1",
        "vendor_code": extra.get("vendor_code", "ACME1"),
        "currency": "USD",
    }


def test_wrong_disputes_are_reversed_two_in_full_one_by_half_and_right_ones_denied() -> None:
    store = SandboxStore()
    claims = [
        _claim("INV7SC", "SHORTAGE", "wrong", "25.00"),
        _claim("INV8", "PRICE_CLAIM", "wrong", "12.35", invoice="INV8"),
        _claim("12345678VCBSINV", "CHARGEBACK", "wrong", "9.99", cause="asn_late_claimed"),
        _claim("INV9SC", "SHORTAGE", "right", "30.00", invoice="INV9"),
        _claim("INV10SC", "SHORTAGE", "wrong", "8.00", invoice="INV10", vendor_code="OTHER"),
    ]
    for claim in claims:
        store.put(CLAIMS, claim["reference"], claim)
    day = date(2024, 3, 8)
    assert receive_disputes(store, [c["reference"] for c in claims[:4]], day) == 4
    assert receive_disputes(store, ["INV7SC", "UNKNOWN1SC"], day) == 0
    assert disputes_due(store, "ACME1", day - timedelta(days=1)) == []
    due = disputes_due(store, "ACME1", day)
    assert [d["claim"]["reference"] for d in due] == [c["reference"] for c in claims[:4]]
    items = decide_disputes(store, due, day, "P2")
    assert [(i.reference, i.amount, i.expected_class) for i in items] == [
        ("INV7SCR", Decimal("25.00"), "SHORTAGE_REVERSAL"),
        ("INV8", Decimal("12.35"), "PRICE_CLAIM_REVERSAL"),
        ("12345678VCBSINV", cents(Decimal("9.99") / 2), "CHARGEBACK"),
    ]
    decisions = {d["reference"]: d["decision"] for d in disputes_received(store)}
    assert decisions["INV9SC"]["outcome"] == "denied" and decisions["INV9SC"]["payment"] is None
    assert decisions["12345678VCBSINV"]["outcome"] == "partly_reversed"
    assert disputes_due(store, "ACME1", day + timedelta(days=30)) == []  # decided once
    assert classes_of([(i.reference, i.amount, i.description, i.reason) for i in items]) == [
        i.expected_class for i in items
    ]


@pytest.mark.parametrize("writer", [write_820, write_vc_payments_csv])
def test_a_payment_of_reversals_alone_parses_and_ties(writer) -> None:
    reversals = [
        reversal_line(_claim("INV7SC", "SHORTAGE", "wrong", "25.00"), Decimal("25.00")),
        reversal_line(_claim("INV8", "PRICE_CLAIM", "wrong", "12.35"), Decimal("6.18")),
        reversal_line(_claim("12345678VCBSINV", "CHARGEBACK", "wrong", "9.99"), Decimal("9.99")),
    ]
    payment = SandboxPayment("240308ACME1000", date(2024, 3, 8), "ACME1", items=reversals)
    document = parse_remittance(writer([payment]).encode())
    (parsed,) = document.payments
    assert parsed.amount == payment.amount == sum((r.amount for r in reversals), Decimal("0"))
    assert parsed.amount == sum((line.amount for line in document.lines), Decimal("0"))
    got = classes_of(
        [(x.reference, x.amount, x.description, x.adjustment_reason) for x in document.lines]
    )
    # The 820 puts ENT-level adjustments (the price-claim reversal) before the RMR loops.
    assert dict(zip((x.reference for x in document.lines), got, strict=True)) == {
        r.reference: r.expected_class for r in reversals
    }
    shortage = next(x for x in document.lines if x.reference == "INV7SCR")
    assert shortage.links_to == "INV7SC" and shortage.po_number == "PO7"


def test_claims_replace_the_fixed_claims_and_keep_every_other_deduction() -> None:
    line = SandboxInvoiceLine("B000TEST01", "SKU-1", 10, Decimal("12.50"))
    invoices = [
        SandboxInvoice(f"INV{n}", f"PO{n}", "ACME1", date(2024, 3, n), (line,)) for n in (1, 2)
    ]
    fixed = settlement_for_invoices(invoices, payment_number="P1", payment_date=date(2024, 3, 7))
    claim = _claim("INV1SC", "SHORTAGE", "right", "12.50", invoice="INV1")
    mine = settlement_for_invoices(
        invoices,
        payment_number="P1",
        payment_date=date(2024, 3, 7),
        claims=[claim_line(claim)],
    )
    claim_classes = {"SHORTAGE", "SHORTAGE_REVERSAL", "CHARGEBACK", "PRICE_CLAIM",
                     "PRICE_CLAIM_REVERSAL"}  # fmt: skip
    assert [i.expected_class for i in fixed.items if i.expected_class not in claim_classes] == [
        i.expected_class for i in mine.items if i.expected_class not in claim_classes
    ]
    assert [(i.reference, i.amount) for i in mine.items if i.expected_class in claim_classes] == [
        ("INV1SC", Decimal("-12.50"))
    ]
