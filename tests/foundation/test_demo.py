"""`vendor-pipelines demo` end to end for a vendor selling in NA (USD) and EU (EUR, 19 % VAT).

One real demo run (a subprocess, the README's first command) against the embedded sandbox, which
serves NA and EU on separate hosts that know only their own vendor codes and accept only their
own region's tokens: a document routed to the wrong region would be refused or never polled.
Expected regions, currencies and amounts come from the sandbox world and what the simulated
Amazon received, never from the pipeline's own tables alone.
"""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import duckdb
import pypdf
import pytest

from vendor_sandbox.amazon.state import RECEIVED_KINDS, AmazonSandboxState
from vendor_sandbox.amazon_claims import claims_made, credit_notes_received, disputes_received
from vendor_sandbox.netsuite.records.base import Books
from vendor_sandbox.store import SandboxStore
from vendor_sandbox.world import Scale, World, generate_world

CLI = Path(sys.executable).parent / "vendor-pipelines"
pytestmark = pytest.mark.slow
SEED, SCALE, REGIONS = 7, "small", ("NA", "EU")  # small: enough invoices to pay in both regions


@dataclass
class DemoRun:
    root: Path
    world: World
    amazon: AmazonSandboxState

    def query(self, sql: str, params: list | None = None) -> list[tuple]:
        with duckdb.connect(str(self.root / "warehouse.duckdb"), read_only=True) as conn:
            return conn.execute(sql, params or []).fetchall()

    def netsuite_records(self, record_type: str) -> list[dict]:
        store = SandboxStore(self.root / "sandbox" / "netsuite.sqlite")
        return Books(store, {}).all(record_type)

    def vendor_regions(self) -> dict[str, str]:
        return {v.vendor_code: v.region for v in self.world.vendors}

    def order_regions(self) -> dict[str, str]:
        regions = self.vendor_regions()
        orders = {**self.amazon.rp_orders(), **self.amazon.df_orders()}
        return {po: regions[doc["vendor"]] for po, doc in orders.items()}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> DemoRun:
    root = tmp_path_factory.mktemp("demo")
    env = {
        **os.environ,
        "DUCKDB_PATH": str(root / "warehouse.duckdb"),
        "ANALYTICS_DUCKDB_PATH": str(root / "analytics.duckdb"),
        "SANDBOX_STATE_DIR": str(root / "sandbox"),
        "REMITTANCE_INBOX": str(root / "inbox"),
        "SANDBOX_SEED": str(SEED),
        "SANDBOX_SCALE": SCALE,
        "AMAZON_REGIONS": ",".join(REGIONS),
    }
    # Twice, as a user does: the second run must add the new day's work and nothing twice.
    for _ in range(2):
        result = subprocess.run(
            [str(CLI), "demo", "--dagster-home", str(root / "dagster_home")],
            capture_output=True,
            text=True,
            timeout=600,
            env=env,
        )
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    world = generate_world(SEED, Scale.named(SCALE), REGIONS)
    amazon = AmazonSandboxState(SandboxStore(root / "sandbox" / "amazon.sqlite"), world)
    return DemoRun(root, world, amazon)


def test_every_settlement_reconciles_to_the_cent_and_is_posted(demo: DemoRun) -> None:
    settlements = demo.query(
        """select settlement_id, unexplained_variance, currency
           from finance.settlement_reconciliation where grain = 'payment'"""
    )
    assert {currency for _, _, currency in settlements} == {"USD", "EUR"}
    assert {variance for _, variance, _ in settlements} == {0}, settlements
    posted = demo.query(
        """select count(*) from ops.submissions
           where channel = 'netsuite.customerPayment' and status = 'succeeded'"""
    )
    # Every payment that settles invoices has its customer payment; a payment of reversals
    # alone (Amazon paying back disputed claims) is posted as its journal only.
    applying = demo.query(
        """select count(distinct payment_number) from finance.cash_application
           where apply_amount <> 0"""
    )
    assert posted == applying and 0 < applying[0][0] <= len(settlements)
    journals = demo.query(
        """select count(*) from ops.submissions
           where channel = 'netsuite.journalEntry' and status = 'succeeded'
             and submission_key like 'AMZ-JE-%'"""
    )
    assert journals == demo.query("select count(distinct settlement_id) from finance.gl_postings")
    # Invoices with freight or a discount were paid too, at their full total.
    assert demo.query(
        """select count(*) from raw.netsuite_invoices i
           join raw.remittance_lines r on r.reference = i.tranid
           where i.shipping_cost <> 0 or i.discount_total <> 0"""
    )[0][0]


def test_vendor_reports_come_per_marketplace_in_its_currency(demo: DemoRun) -> None:
    reports = demo.query(
        """select marketplace_id, any_value(shipped_revenue_currency)
           from raw.amazon_vendor_sales_report group by all"""
    )
    assert dict(reports) == {"ATVPDKIKX0DER": "USD", "A1PA6795UKMFR9": "EUR"}


def test_orders_of_every_region_are_consolidated_with_their_region(demo: DemoRun) -> None:
    expected = demo.order_regions()
    landed = dict(
        demo.query("select purchase_order_number, region from raw.amazon_purchase_orders")
    )
    assert landed == expected
    assert set(landed.values()) == {"NA", "EU"}
    cursors = {row[0] for row in demo.query("select source from ops.sync_cursors")}
    assert {"RP:NA:*", "RP:EU:*", "DF:NA:*", "DF:EU:*"} <= cursors


def test_every_document_reached_the_host_of_its_purchase_order(demo: DemoRun) -> None:
    order_regions, vendor_regions = demo.order_regions(), demo.vendor_regions()
    received = [e for kind in RECEIVED_KINDS for e in demo.amazon.received(kind)]
    for kind in ("rp_acknowledgements", "rp_shipment_confirmations", "rp_invoices"):
        assert {e["region"] for e in received if e["kind"] == kind} == {"NA", "EU"}, kind
    kinds = Counter(e["kind"] for e in received)
    assert kinds["df_acknowledgements"] and kinds["df_inventory_updates"]
    for entry in received:
        if entry["kind"] == "df_inventory_updates":
            vendor = entry["body"]["sellingParty"]["partyId"]
            assert entry["region"] == vendor_regions[vendor], entry["ref"]
            continue
        if entry["body"].get("invoiceType") == "CreditNote":
            # A credit note names no purchase order: it goes to its vendor code's host.
            vendor = entry["body"]["remitToParty"]["partyId"]
            assert entry["region"] == vendor_regions[vendor], entry["ref"]
            continue
        pos = [ref for ref in entry["refs"] if ref in order_regions]
        assert pos, entry["kind"]
        assert {order_regions[po] for po in pos} == {entry["region"]}, (entry["kind"], pos)


def test_every_transaction_was_polled_where_it_was_submitted(demo: DemoRun) -> None:
    rows = demo.query(
        """select region, status, count(*) from ops.submissions
           where channel like 'amazon.%' group by all"""
    )
    assert {region for region, _, _ in rows} == {"NA", "EU"}
    assert not [row for row in rows if row[1] in ("sent", "pending")]
    open_types = {row[0] for row in demo.query("select exception_type from ops.open_exceptions")}
    assert "transmission_error" not in open_types


def test_each_region_is_invoiced_in_its_currency_and_eu_with_vat(demo: DemoRun) -> None:
    vendors = {v.vendor_code: v for v in demo.world.vendors}
    invoices = {i["tranId"]: i for i in demo.netsuite_records("invoice")}
    landed = demo.query("select vendor_code, currency from raw.netsuite_invoices group by all")
    assert {vendor: vendors[vendor].currency for vendor, _ in landed} == dict(landed)
    outcomes = {t["transactionId"]: t["outcome"] for t in demo.amazon.transactions()}
    seen = Counter()
    for entry in demo.amazon.received("rp_invoices"):
        body = entry["body"]
        if body["invoiceType"] == "CreditNote":
            continue  # settles a claim; held against Amazon's claims in its own test below
        vendor = vendors[body["remitToParty"]["partyId"]]
        seen[vendor.region] += 1
        assert body["invoiceTotal"]["currencyCode"] == vendor.currency
        assert float(body["invoiceTotal"]["amount"]) == invoices[entry["ref"]]["total"]
        taxes = body.get("taxDetails", [])
        if vendor.region == "EU":
            (vat,) = taxes
            assert vat["taxType"] == "VAT" and vat["taxRate"] == "19"
            assert float(vat["taxAmount"]["amount"]) == invoices[entry["ref"]]["taxTotal"] > 0
        else:
            assert not taxes
        assert outcomes[entry["transactionId"]] == "Success", entry["ref"]
    assert seen["EU"] and seen["NA"]


def test_two_demo_runs_leave_finance_no_open_error_and_the_analysts_the_exceptions(
    demo: DemoRun,
) -> None:
    open_finance = demo.query(
        """select exception_type, severity, count(*) from ops.exceptions
           where owner = 'finance' and resolved_at is null group by all"""
    )
    # Payments Amazon sent as an 820 and finance also exported are repeats, recorded for
    # information; nothing else of finance is open.
    assert {(kind, severity) for kind, severity, _ in open_finance} <= {
        ("remittance_payment_repeated", "info")
    }, open_finance
    repeats = demo.query("select count(*) from raw.remittance_repeats")[0][0]
    assert repeats and dict((k, n) for k, _, n in open_finance) == {
        "remittance_payment_repeated": repeats
    }
    with duckdb.connect(str(demo.root / "analytics.duckdb"), read_only=True) as analytics:
        tables = {
            f"{schema}.{name}"
            for schema, name in analytics.execute(
                "select table_schema, table_name from information_schema.tables"
            ).fetchall()
        }
        assert {
            "ops.exceptions",
            "ops.exception_types",
            "finance_config.deduction_gl_mapping",
            "finance_config.deduction_rules",
            "finance.open_deductions",
        } <= tables
        assert not [t for t in tables if t.startswith("ops.submission")]
        (copied,) = analytics.execute("select count(*) from ops.exceptions").fetchone()
    assert copied == demo.query("select count(*) from ops.exceptions")[0][0]


# --- disputes: what Amazon claimed, against what the sandbox actually did -------------------


def _cases(demo: DemoRun) -> dict[str, dict]:
    with duckdb.connect(str(demo.root / "warehouse.duckdb"), read_only=True) as conn:
        cursor = conn.execute("select * from finance.dispute_cases")
        names = [d[0] for d in cursor.description]
        return {
            row[names.index("claim_reference")].upper(): dict(zip(names, row, strict=True))
            for row in cursor.fetchall()
        }


def test_every_claim_amazon_raised_is_a_case_judged_as_the_sandbox_knows_it(
    demo: DemoRun,
) -> None:
    claims = claims_made(demo.amazon.store)
    cases = _cases(demo)
    # Each kind of claim, wrong and right: the wrong ones where the sandbox shipped in full
    # (a receiving miscount, a cost Amazon updated, an ASN said to be late), the right ones
    # where its warehouse packed a carton one unit short.
    assert {(c["kind"], c["truth"]) for c in claims} == {
        ("SHORTAGE", "wrong"),
        ("SHORTAGE", "right"),
        ("PRICE_CLAIM", "wrong"),
        ("CHARGEBACK", "wrong"),
        ("CHARGEBACK", "right"),
    }
    assert len(cases) == len(claims)
    for claim in claims:
        case = cases[claim["reference"].upper()]
        expected = "disputable" if claim["truth"] == "wrong" else "valid"
        assert case["judgement"] == expected, (claim, case["judgement_reason"])
        assert case["case_class"] == claim["kind"]
        assert case["claimed_amount"] == Decimal(claim["amount"])
        if claim["truth"] == "right":
            # The carton the warehouse packed short is the one the sentence names.
            assert claim["sscc"] in case["judgement_reason"], case["judgement_reason"]
            assert case["root_cause"] == (
                "short_packed_carton" if claim["kind"] == "SHORTAGE" else "asn_units_differ"
            )
        if claim["kind"] == "SHORTAGE" and claim["asin"]:
            assert (case["asin"], case["claimed_units"]) == (claim["asin"], claim["units"])


def test_each_disputable_case_has_its_packet(demo: DemoRun) -> None:
    disputable = [c for c in _cases(demo).values() if c["judgement"] == "disputable"]
    assert disputable
    for case in disputable:
        stem = demo.root / "disputes" / case["case_id"]
        text = " ".join(
            page.extract_text() for page in pypdf.PdfReader(str(stem.with_suffix(".pdf"))).pages
        )
        assert case["case_id"] in text and case["claim_reference"] in text
        rows = list(csv.DictReader(io.StringIO(stem.with_suffix(".csv").read_text())))
        assert rows and all(case["po_number"] in row.values() for row in rows), rows


def test_a_reversal_closes_its_case_with_the_money_recovered_posted_once(demo: DemoRun) -> None:
    decided = [d for d in disputes_received(demo.amazon.store) if d.get("decision")]
    cases = _cases(demo)
    outcomes = {d["decision"]["outcome"] for d in decided}
    assert {"reversed", "partly_reversed"} <= outcomes
    for dispute in decided:
        case = cases[dispute["reference"].upper()]
        decision = dispute["decision"]
        assert case["submitted_at"] is not None
        if decision["outcome"] == "denied":
            assert case["recovered_amount"] == 0
            continue
        assert case["recovered_amount"] == Decimal(decision["amount"])
        assert case["status"] == ("won" if decision["outcome"] == "reversed" else "partly_won")
        # The reversal is a line of the payment that brought the money, posted with it once.
        journal = demo.query(
            """select s.status, count(*) over () from ops.submissions s
               join (select distinct journal_external_id from finance.gl_postings
                     where settlement_id = ?) g on s.submission_key = g.journal_external_id
               where s.channel = 'netsuite.journalEntry'""",
            [decision["payment"]],
        )
        assert journal == [("succeeded", 1)], dispute
    # What Amazon kept of a partly won shortage or price claim is written off once, on 6900
    # (a chargeback was expensed on 6200 when taken: its reversal credits it, no journal).
    partly_won = [
        c for c in cases.values() if c["status"] == "partly_won" and c["case_class"] != "CHARGEBACK"
    ]
    assert partly_won
    for case in partly_won:
        key = f"AMZ-DJE-{case['case_id']}"
        lines = demo.query(
            """select gl_account_number, debit from finance.dispute_journal_lines
               where journal_external_id = ? and debit > 0""",
            [key],
        )
        assert lines == [("6900", case["claimed_amount"] - case["recovered_amount"])]
        assert demo.query(
            "select status, attempts from ops.submissions where submission_key = ?", [key]
        ) == [("succeeded", 1)]


def test_a_valid_claim_is_settled_once_by_credit_note_and_memo_and_netted_once(
    demo: DemoRun,
) -> None:
    claims = {c["reference"]: c for c in claims_made(demo.amazon.store)}
    cases = _cases(demo)
    valid = {
        ref: case
        for ref, case in cases.items()
        if case["status"] == "valid" and case["case_class"] == "SHORTAGE"
    }
    assert valid
    # Amazon matched one credit note to each right shortage, for what it claimed, and no other.
    matched = {n["debit_note"].upper(): n for n in credit_notes_received(demo.amazon.store)}
    right = {
        ref.upper()
        for ref, c in claims.items()
        if c["kind"] == "SHORTAGE" and c["truth"] == "right"
    }
    assert set(matched) == set(valid) == right
    memos = {m["externalId"]: m for m in demo.netsuite_records("creditMemo")}
    assert len(memos) == len(valid)
    for ref, case in valid.items():
        claim, note = claims[case["claim_reference"]], matched[ref]
        assert note["credit_note"] == f"CN-{case['case_id']}"
        assert Decimal(note["amount"]) == Decimal(claim["amount"]) == case["claimed_amount"]
        # NetSuite's memo restocks the unit the carton lacked, on the claim's customer.
        memo = memos[f"AMZ-CM-{case['case_id']}"]
        (memo_line,) = memo["item"]["items"]
        assert memo_line["quantity"] == claim["units"]
        assert Decimal(str(memo["total"])) == case["claimed_amount"]
        assert memo["entity"]["id"] == case["customer_id"]
        # The claim's journal moved it from 1205 onto the receivable the memo clears.
        assert demo.query(
            """select gl_account_number, debit, credit from finance.dispute_journal_lines
               where case_id = ? order by journal_line_no""",
            [case["case_id"]],
        ) == [("1200", case["claimed_amount"], 0), ("1205", 0, case["claimed_amount"])]
        for key in (note["credit_note"], memo["externalId"], f"AMZ-DJE-{case['case_id']}"):
            assert demo.query(
                "select status from ops.submissions where submission_key = ?", [key]
            ) == [("succeeded",)], key
        # Amazon netted the claim once, on the payment that took it; the credit note added
        # nothing to any payment after (two demo runs, four payment runs).
        assert demo.query(
            "select sum(amount) from raw.remittance_lines where upper(reference) = ?", [ref]
        ) == [(-case["claimed_amount"],)]
        assert demo.query(
            "select count(*) from raw.remittance_lines where reference like 'CN-%'"
        ) == [(0,)]
