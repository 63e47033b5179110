"""Dispute cases judged from our own records, on a warehouse built by hand and `dbt build`.

The records (shipments, invoices, purchase orders, the two Amazon payments and finance's
submissions) are in dispute_records.py. The build's window ends 2026-11-20 (the views' as-of
day); the other days are the same models rendered as of that day (`finance.dbt_sql`, as the
close pack renders them).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pytest
from dbt_build import DbtRun, run_dbt_build
from dispute_records import BUILT_AS_OF, CLAIMS, make_warehouse

from vendor_pipelines.finance.close_pack import DISPUTE_MODELS, dispute_models_sql
from vendor_pipelines.orders import schema as orders_schema
from vendor_pipelines.orders.catalogue import weight_unit

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def built(module_tmp: Path) -> tuple[Path, DbtRun]:
    warehouse = module_tmp / "disputes" / "warehouse.duckdb"
    warehouse.parent.mkdir()
    make_warehouse(warehouse)
    run = run_dbt_build(
        warehouse,
        warehouse.parent,
        {"settlement_date": "2026-11-01", "settlement_date_end": BUILT_AS_OF},
    )
    assert run.returncode == 0, run.output[-4000:]
    return warehouse, run


@pytest.fixture(scope="module")
def warehouse(built: tuple[Path, DbtRun]) -> Path:
    return built[0]


def query(warehouse: Path, sql: str) -> list[dict[str, Any]]:
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        cursor = conn.execute(sql)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def cases_as_of(warehouse: Path, day: str | None = None) -> dict[str, dict[str, Any]]:
    """finance.dispute_cases as stored (as of the build's last day), or rendered as of `day`."""
    sql = "SELECT * FROM finance.dispute_cases"
    if day:
        sql = dispute_models_sql(date.fromisoformat(day))["dispute_cases"]
    return {row["case_id"]: row for row in query(warehouse, sql)}


def rendered(warehouse: Path, model: str, day: str) -> list[dict[str, Any]]:
    """A model over dispute_cases, it and the cases rendered as of `day` (as the close pack
    does: the judgements too, not the table as the build stored it)."""
    also = () if model in DISPUTE_MODELS else (model,)
    return query(warehouse, dispute_models_sql(date.fromisoformat(day), also=also)[model])


def test_every_claim_is_one_case_with_its_lines(warehouse: Path) -> None:
    cases = cases_as_of(warehouse)
    assert sorted(cases) == sorted(
        [f"SC-{r}" for r, d, *_ in CLAIMS if d == "Shortage claim"]
        + [f"PC-{r}" for r, d, *_ in CLAIMS if d == "Price variance"]
        + [f"CB-{r}" for r, d, *_ in CLAIMS if d.startswith("Chargeback")]
    )
    won = cases["SC-INV-1SC"]
    assert (won["claim_reference"], won["invoice_number"], won["po_number"]) == (
        "INV-1SC",
        "INV-1",
        "PO-1",
    )
    assert len(won["line_ids"]) == 2  # the claim and its reversal
    assert (won["claimed_amount"], won["recovered_amount"], won["open_amount"]) == (
        Decimal("30.00"),
        Decimal("30.00"),
        Decimal("0.00"),
    )
    # the claim's amount is 3 units at B0A's rate, not a whole number of B0B's (7.5)
    assert (won["asin"], won["claimed_units"]) == ("B0A", 3)
    assert {c: cases[c]["chargeback_type"] for c in cases if c.startswith("CB-")} == {
        "CB-12345678VCBSINV": "ASN_LATE",
        "CB-22345678VCBSINV": "ASN_LATE",
        "CB-32345678VCBSINV": "ASN_ACCURACY",
        "CB-42345678VCBSINV": "ASN_ACCURACY",
        "CB-52345678VCBSINV": "OTHER",
    }
    assert cases["SC-INV-1SC"]["chargeback_type"] is None


def test_a_shortage_we_shipped_in_full_is_disputable_with_its_evidence(warehouse: Path) -> None:
    case = cases_as_of(warehouse, "2026-11-03")["SC-INV-1SC"]
    assert (case["judgement"], case["status"], case["root_cause"]) == (
        "disputable",
        "disputable",
        None,
    )
    evidence = (
        case["invoiced_units"],
        case["asn_units"],
        case["packed_units"],
        case["weighed_units"],
    )
    assert evidence == (12, 12, 12, 12)
    assert (case["shipment_id"], case["cartons"]) == ("SHIP-1", 1)
    reason = case["judgement_reason"]
    for named in (
        "3 units of B0A",
        "INV-1",
        "SHIP-1",
        "006141410000000011",
        "1Z0000000000000001",
        "2026-10-01 10:12 UTC",
    ):
        assert named in reason, (named, reason)
    assert "006141410000000028" not in reason  # the B0B carton is not the claim's


def test_a_carton_the_scale_shows_short_makes_the_claim_valid(warehouse: Path) -> None:
    cases = cases_as_of(warehouse)
    short_pack = cases["SC-INV-2SC"]
    assert (short_pack["judgement"], short_pack["root_cause"], short_pack["status"]) == (
        "valid",
        "short_packed_carton",
        "valid",
    )
    assert (short_pack["asn_units"], short_pack["packed_units"], short_pack["weighed_units"]) == (
        12,
        12,
        11,
    )
    assert "only 11 units" in short_pack["judgement_reason"]
    assert "006141410000000035" in short_pack["judgement_reason"]
    short_ship = cases["SC-INV-3SC"]
    assert (short_ship["judgement"], short_ship["root_cause"]) == ("valid", "short_shipped")
    assert (short_ship["claimed_units"], short_ship["invoiced_units"], short_ship["asn_units"]) == (
        2,
        12,
        10,
    )
    # the ASN-accuracy chargeback of the short-packed carton is right too; its late ASN as well
    assert (
        cases["CB-32345678VCBSINV"]["judgement"],
        cases["CB-32345678VCBSINV"]["root_cause"],
    ) == (
        "valid",
        "asn_units_differ",
    )
    assert "weighed 11" in cases["CB-32345678VCBSINV"]["judgement_reason"]
    late = cases["CB-22345678VCBSINV"]
    assert (late["judgement"], late["root_cause"], late["shipment_id"]) == (
        "valid",
        "asn_late",
        "SHIP-3",
    )
    assert "30.00 h later" in late["judgement_reason"]


def test_missing_records_leave_a_case_unjudged_and_open(warehouse: Path) -> None:
    cases = cases_as_of(warehouse)
    no_fulfilment, no_invoice, other = (
        cases["SC-INV-4SC"],
        cases["SC-INV-5SC"],
        cases["CB-52345678VCBSINV"],
    )
    assert [c["judgement"] for c in (no_fulfilment, no_invoice, other)] == ["unjudged"] * 3
    assert [c["status"] for c in (no_fulfilment, no_invoice, other)] == ["open"] * 3
    assert "no NetSuite fulfilment" in no_fulfilment["judgement_reason"]
    assert "not in NetSuite" in no_invoice["judgement_reason"]
    # no invoice in NetSuite: its clock runs from the day the claim was taken
    assert (no_invoice["window_basis"], no_invoice["dispute_deadline"]) == (
        "settlement_date_no_due_date",
        date(2026, 12, 2),
    )
    assert (
        no_fulfilment["window_basis"],
        no_fulfilment["dispute_deadline"],
        no_fulfilment["days_left"],
    ) == (
        "invoice_due_date",
        date(2026, 11, 30),
        10,
    )


def test_price_claims_are_judged_against_the_po_cost(warehouse: Path) -> None:
    cases = cases_as_of(warehouse)
    at_cost, above, updated = cases["PC-INV-8"], cases["PC-INV-9"], cases["PC-INV-10"]
    assert (at_cost["judgement"], at_cost["asin"], at_cost["claimed_units"]) == (
        "disputable",
        "B0A",
        10,
    )
    assert (at_cost["invoice_price"], at_cost["po_net_cost"], at_cost["netsuite_price"]) == (
        Decimal("10.0000"),
        Decimal("10.0000"),
        Decimal("10.0000"),
    )
    assert (above["judgement"], above["root_cause"]) == ("valid", "invoiced_above_po_cost")
    assert "10.5000" in above["judgement_reason"]
    # Amazon lowered its cost after the order was issued: our invoice follows the order
    assert (updated["judgement"], updated["po_net_cost"], updated["po_net_cost_at_po_date"]) == (
        "disputable",
        Decimal("9.7000"),
        Decimal("10.0000"),
    )


def test_a_price_claim_on_a_whole_invoice_is_told_from_one_line(warehouse: Path) -> None:
    # The claim fits both lines and neither has a PO cost: no line is above the other, and
    # the first speaks for the invoice with its own rate, price and ASIN, the same every build.
    case = cases_as_of(warehouse)["PC-INV-11"]
    assert (case["judgement"], case["asin"]) == ("unjudged", None)
    assert (case["invoice_price"], case["netsuite_price"], case["po_net_cost"]) == (
        Decimal("10.0000"),
        Decimal("10.0000"),
        None,
    )
    assert "has no net cost for B0A invoiced on INV-11" in case["judgement_reason"]


def test_chargebacks_are_judged_on_the_po_shipments(warehouse: Path) -> None:
    cases = cases_as_of(warehouse, "2026-11-03")
    on_time, accurate = cases["CB-12345678VCBSINV"], cases["CB-42345678VCBSINV"]
    assert (on_time["judgement"], on_time["asn_sent_at"] is not None) == ("disputable", True)
    assert "within 24 h" in on_time["judgement_reason"]
    assert (
        accurate["judgement"],
        accurate["asn_units"],
        accurate["weighed_units"],
        accurate["cartons"],
    ) == (
        "disputable",
        18,
        18,
        2,
    )
    # notification based: 30 days from the day taken
    assert (on_time["window_basis"], on_time["dispute_deadline"]) == (
        "settlement_date",
        date(2026, 12, 2),
    )


def test_status_follows_submission_reversals_and_the_clocks(warehouse: Path) -> None:
    statuses = {
        day: {case: row["status"] for case, row in cases_as_of(warehouse, day).items()}
        for day in ("2026-11-03", "2026-11-10", BUILT_AS_OF, "2026-12-20")
    }
    assert statuses["2026-11-03"]["SC-INV-7SC"] == "disputable"
    assert statuses["2026-11-10"]["SC-INV-7SC"] == "submitted"
    assert statuses["2026-11-10"]["SC-INV-1SC"] == "submitted"
    assert statuses[BUILT_AS_OF]["SC-INV-1SC"] == "won"
    assert statuses[BUILT_AS_OF]["SC-INV-6SC"] == "partly_won"
    assert statuses[BUILT_AS_OF]["CB-12345678VCBSINV"] == "won"
    assert statuses[BUILT_AS_OF]["SC-INV-7SC"] == "submitted"  # 15 days into Amazon's 40
    late = cases_as_of(warehouse, "2026-12-20")
    assert (late["SC-INV-7SC"]["status"], late["SC-INV-7SC"]["decided_on"]) == (
        "lost",
        date(2026, 12, 16),
    )
    # not submitted in time: expired the day after the deadline
    assert (late["SC-INV-4SC"]["status"], late["SC-INV-4SC"]["decided_on"]) == (
        "expired",
        date(2026, 12, 1),
    )
    assert (late["PC-INV-8"]["status"], late["CB-42345678VCBSINV"]["status"]) == (
        "expired",
        "expired",
    )
    # an accepted claim stays accepted past its deadline: nothing to dispute
    assert late["SC-INV-2SC"]["status"] == "valid"
    won = cases_as_of(warehouse)["SC-INV-1SC"]
    assert (won["decided_on"], won["submitted_by"]) == (date(2026, 11, 20), "ana")


def journal(rows: list[dict[str, Any]]) -> dict[str, list[tuple]]:
    lines: dict[str, list[tuple]] = {}
    for r in sorted(rows, key=lambda r: (r["journal_external_id"], r["journal_line_no"])):
        lines.setdefault(r["journal_external_id"], []).append(
            (r["gl_account_number"], r["debit"], r["credit"], r["posting_date"])
        )
    return lines


def test_decided_cases_are_reclassed_off_1205_in_balanced_journals(
    built: tuple[Path, DbtRun],
) -> None:
    warehouse, run = built
    assert run.status("assert_dispute_journals_balanced") == "pass"
    assert run.status("unique_dispute_cases_case_id") == "pass"
    ten, five = Decimal("10.00"), Decimal("5.00")
    zero = Decimal("0.00")
    november = date(2026, 11, 20)
    claimed = {
        r["case_id"]: r["claimed_on"]
        for r in query(warehouse, "SELECT case_id, claimed_on FROM finance.dispute_cases")
    }
    sc2, sc3, pc9 = claimed["SC-INV-2SC"], claimed["SC-INV-3SC"], claimed["PC-INV-9"]
    assert journal(query(warehouse, "SELECT * FROM finance.dispute_journal_lines")) == {
        # valid: accepted to contra revenue on the day Amazon took it, so it never moves
        "AMZ-DJE-SC-INV-2SC": [("4170", ten, zero, sc2), ("1205", zero, ten, sc2)],
        "AMZ-DJE-SC-INV-3SC": [("4170", ten, zero, sc3), ("1205", zero, ten, sc3)],
        "AMZ-DJE-PC-INV-9": [("4160", five, zero, pc9), ("1205", zero, five, pc9)],
        # partly won: the half Amazon kept is written off on the day it paid the other half
        "AMZ-DJE-SC-INV-6SC": [("6900", five, zero, november), ("1205", zero, five, november)],
    }
    december = journal(rendered(warehouse, "dispute_journal_lines", "2026-12-20"))
    assert december["AMZ-DJE-SC-INV-7SC"] == [
        ("6900", five, zero, date(2026, 12, 16)),
        ("1205", zero, five, date(2026, 12, 16)),
    ]
    assert december["AMZ-DJE-SC-INV-4SC"][0] == ("6900", five, zero, date(2026, 12, 1))
    assert not any(key.startswith("AMZ-DJE-CB-") for key in december)  # chargebacks sit on 6200
    for key, lines in december.items():
        assert sum(d for _, d, _, _ in lines) == sum(c for _, _, c, _ in lines), key


def test_recovery_figures_and_root_causes(warehouse: Path) -> None:
    recovery = {
        r["case_class"]: r for r in query(warehouse, "SELECT * FROM finance.dispute_recovery")
    }
    shortage = recovery["SHORTAGE"]
    assert shortage["claim_month"] == date(2026, 11, 1)
    figures = {
        k: shortage[k]
        for k in (
            "cases",
            "claimed_amount",
            "disputable_amount",
            "disputed_amount",
            "won_amount",
            "recovered_amount",
            "lost_amount",
            "expired_amount",
            "valid_amount",
            "open_amount",
        )
    }
    claimed = sum(-Decimal(a) for r, d, _, _, a in CLAIMS if d == "Shortage claim")
    disputed = Decimal("30.00") + Decimal("10.00") + Decimal("5.00")  # INV-1SC, -6SC, -7SC
    recovered = Decimal("30.00") + Decimal("5.00")
    assert figures == {
        "cases": 7,
        "claimed_amount": claimed,
        "disputable_amount": disputed,
        "disputed_amount": disputed,
        "won_amount": recovered,
        "recovered_amount": recovered,
        "lost_amount": Decimal("5.00"),  # the half of INV-6SC Amazon kept
        "expired_amount": Decimal("0.00"),
        "valid_amount": Decimal("20.00"),
        "open_amount": claimed - recovered,
    }
    assert float(shortage["recovery_rate"]) == pytest.approx(float(recovered / disputed), abs=1e-4)
    assert shortage["median_days_to_decision"] == 15
    causes = {
        (r["case_class"], r["root_cause"]): (r["cases"], r["units"], r["amount"])
        for r in query(warehouse, "SELECT * FROM finance.dispute_root_causes")
    }
    assert causes == {
        ("SHORTAGE", "short_packed_carton"): (1, 1, Decimal("10.00")),
        ("SHORTAGE", "short_shipped"): (1, 2, Decimal("10.00")),
        ("PRICE_CLAIM", "invoiced_above_po_cost"): (1, 10, Decimal("5.00")),
        ("CHARGEBACK", "asn_late"): (1, 0, Decimal("1.00")),
        ("CHARGEBACK", "asn_units_differ"): (1, 0, Decimal("2.40")),
    }
    december = {r["case_class"]: r for r in rendered(warehouse, "dispute_recovery", "2026-12-20")}
    assert december["SHORTAGE"]["lost_amount"] == Decimal("10.00")  # INV-7SC lost, INV-6SC's half
    assert december["SHORTAGE"]["expired_amount"] == Decimal("12.00")  # INV-4SC, INV-5SC


def test_item_weights_land_on_warehouses_made_before_them(tmp_path: Path) -> None:
    """The scale evidence needs each item's weight: an older raw.netsuite_items gains it."""
    with duckdb.connect(str(tmp_path / "old.duckdb")) as conn:
        conn.execute("CREATE SCHEMA raw")
        conn.execute(
            "CREATE TABLE raw.netsuite_items (item_id VARCHAR PRIMARY KEY, sku VARCHAR NOT NULL,"
            " asin VARCHAR, price DECIMAL(18, 4), cost DECIMAL(18, 4), upc VARCHAR,"
            " is_inactive BOOLEAN NOT NULL DEFAULT false)"
        )
        conn.execute("INSERT INTO raw.netsuite_items (item_id, sku) VALUES ('1', 'SKU-A')")
        orders_schema.apply(conn)
        orders_schema.apply(conn)  # idempotent
        assert conn.execute("SELECT weight, weight_unit FROM raw.netsuite_items").fetchall() == [
            (None, None)
        ]
    # SuiteQL gives the unit's list id, a record its name
    assert [weight_unit(v) for v in ("3", "kg", "LB", "2", "g", None)] == [
        "kg",
        "kg",
        "lb",
        "oz",
        "g",
        None,
    ]
