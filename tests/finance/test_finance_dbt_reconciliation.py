"""dbt_finance on a seeded month: ties to the cent, idempotent partitions, the posting gate."""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from dbt_build import DbtRun, finish_dbt_build, run_dbt_build, start_dbt_build

from vendor_pipelines.finance import load_remittance_bytes
from vendor_sandbox.remittance_month import (
    SeededMonth,
    generate_seeded_month,
    insert_netsuite_rows,
)

pytestmark = pytest.mark.slow

# Per-payment conditions: warnings, the payment itself is held by posting_blocked_reason.
VARIANCE_TEST = "assert_unexplained_variance_within_tolerance"
UNMAPPED_TEST = "assert_no_unmapped_deduction_classes"
BALANCE_TEST = "assert_gl_postings_balanced_per_settlement"
# The posting gate itself, still an error: a payment showing a blocking condition is held.
GATE = "assert_held_settlements_carry_their_block"

# A hand-computed settlement on 2024-04-02 next to the generated month:
# invoices INV-H1 1,000.00 and INV-H2 500.00; Amazon pays INV-H1 with a 20.00 quick-pay
# discount (980.00) and INV-H2 in full (500.00), nets a 30.00 shortage on INV-H1, 45.50 co-op
# and a 100.00 provision: 980.00 + 500.00 - 30.00 - 45.50 - 100.00 = 1,304.50 paid.
INVOICE_HEADER = (
    "Payment Number,Invoice Number,Transaction Description,Invoice Amount,Terms Discount Taken,"
    "Amount Paid"
)
HAND_CSV = f"""Payment Number,Payment Date,Amount in Invoice Currency
H-1,04/02/2024,"$1,304.50"

{INVOICE_HEADER}
H-1,INV-H1,Payments,"$1,000.00",$20.00,$980.00
H-1,INV-H2,Payments,$500.00,,$500.00
H-1,INV-H1SC,Shortage claim,($30.00),,($30.00)
H-1,6268-5550001111,Co-op,($45.50),,($45.50)
H-1,240402_PROVISION_FOR_RECEIVABLES,Provision for to be billed receivable,(100.00),,(100.00)
"""


def build_warehouse(path: Path, month: SeededMonth, *, with_hand: bool = False) -> None:
    conn = duckdb.connect(str(path))
    insert_netsuite_rows(conn, month)
    for name, content in month.files:
        assert load_remittance_bytes(conn, content, name).status == "loaded"
    if with_hand:
        conn.execute(
            "INSERT INTO raw.netsuite_invoices (invoice_id, tranid, external_id, po_number,"
            " vendor_code, customer_id, trandate, due_date, total, amount_remaining, status,"
            " currency) VALUES"
            " ('900001', 'INV-H1', 'AMZ-INV-H1', 'PO-H1', 'ACME1', '1001', '2024-03-20',"
            "  '2024-04-19', 1000.00, 1000.00, 'Open', 'USD'),"
            " ('900002', 'INV-H2', 'AMZ-INV-H2', 'PO-H2', 'ACME1', '1001', '2024-03-20',"
            "  '2024-04-19', 500.00, 500.00, 'Open', 'USD')"
        )
        assert load_remittance_bytes(conn, HAND_CSV.encode(), "hand.csv").status == "loaded"
    conn.close()


def query(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as conn:
        return conn.execute(sql).fetchall()


Built = tuple[Path, SeededMonth, DbtRun]


@pytest.fixture(scope="module")
def builds(module_tmp: Path) -> dict[str, Built]:
    """Three warehouses built side by side: clean (+ hand settlement), variance, unknown code."""
    scenarios = {
        "clean": generate_seeded_month(seed=11),
        "variance": generate_seeded_month(seed=11, unexplained_variance=Decimal("250.00")),
        "unknown": generate_seeded_month(seed=11, unknown_code=True),
    }
    started = {}
    for name, month in scenarios.items():
        warehouse = module_tmp / name / "warehouse.duckdb"
        warehouse.parent.mkdir()
        build_warehouse(warehouse, month, with_hand=name == "clean")
        started[name] = (warehouse, month, start_dbt_build(warehouse, warehouse.parent))
    return {
        name: (warehouse, month, finish_dbt_build(process, warehouse.parent))
        for name, (warehouse, month, process) in started.items()
    }


@pytest.fixture(scope="module")
def clean(builds: dict[str, Built]) -> Built:
    return builds["clean"]


def test_seeded_month_builds_and_every_test_passes(clean: Built) -> None:
    _, _, run = clean
    assert run.returncode == 0, run.output[-3000:]
    for name in (VARIANCE_TEST, UNMAPPED_TEST, BALANCE_TEST):
        assert run.status(name) == "pass"


def test_seeded_month_ties_to_the_cent(clean: Built) -> None:
    warehouse, month, _ = clean
    rows = query(
        warehouse,
        "SELECT settlement_id, unexplained_variance, file_drift"
        " FROM finance.settlement_reconciliation",
    )
    assert len(rows) == 2 * 5  # 4 generated + 1 hand payment, per payment and per day
    assert all(variance == 0 and drift == 0 for _, variance, drift in rows)
    by_class = dict(
        query(
            warehouse,
            "SELECT class_code, sum(amount) FROM finance.int_settlement_charges"
            " WHERE payment_number <> 'H-1' GROUP BY 1",
        )
    )
    expected = {k: v for k, v in month.expected_by_class.items() if k != "INVOICE_PAYMENT"}
    expected["TERMS_DISCOUNT"] = -month.expected_terms_discount
    assert by_class == expected
    ((paid,),) = query(
        warehouse,
        "SELECT sum(paid_amount) FROM finance.settlement_reconciliation"
        " WHERE grain = 'day' AND settlement_id < '2024-04'",
    )
    assert paid == month.expected_paid


def test_hand_computed_settlement(clean: Built) -> None:
    warehouse, _, _ = clean
    ((invoiced, discounts, deductions, timing, paid, variance),) = query(
        warehouse,
        "SELECT invoiced_amount, terms_discounts, identified_deductions, timing_items,"
        " paid_amount, unexplained_variance FROM finance.settlement_reconciliation"
        " WHERE reconciliation_id = 'payment:H-1'",
    )
    # 1,500.00 invoiced - 20.00 discount - (30.00 + 45.50) - 100.00 held back = 1,304.50 paid
    assert (invoiced, discounts, deductions, timing, paid, variance) == (
        Decimal("1500.00"),
        Decimal("20.00"),
        Decimal("75.50"),
        Decimal("100.00"),
        Decimal("1304.50"),
        Decimal("0.00"),
    )
    matches = dict(
        query(
            warehouse,
            "SELECT reference, match_type FROM finance.cash_application"
            " WHERE payment_number = 'H-1'",
        )
    )
    assert matches == {
        "INV-H1": "SHORT_PAY",
        "INV-H2": "FULL",
        "INV-H1SC": "DEDUCTION_ON_PAID_INVOICE",
        "6268-5550001111": "DEDUCTION_UNLINKED",
        "240402_PROVISION_FOR_RECEIVABLES": "DEDUCTION_UNLINKED",
    }
    journal = query(
        warehouse,
        "SELECT gl_account_number, debit, credit FROM finance.gl_postings"
        " WHERE settlement_id = 'H-1' ORDER BY journal_line_no",
    )
    # charges ordered by charge id (file line 5 = INV-H1 discount, then lines 7, 8, 9)
    assert journal == [
        ("4180", Decimal("20.00"), Decimal("0.00")),
        ("1205", Decimal("30.00"), Decimal("0.00")),
        ("4110", Decimal("45.50"), Decimal("0.00")),
        ("1210", Decimal("100.00"), Decimal("0.00")),
        ("1010", Decimal("0.00"), Decimal("195.50")),
    ]
    open_rows = dict(
        query(
            warehouse,
            "SELECT deduction_key, open_amount FROM finance.open_deductions"
            " WHERE customer_id = '1001' AND first_settlement_date = DATE '2024-04-02'",
        )
    )
    # per claim: the shortage claim is keyed by its own id
    assert open_rows["SHORTAGE:INV-H1SC"] == Decimal("30.00")
    assert open_rows["COOP:6268-5550001111"] == Decimal("45.50")


def test_asin_profitability_allocates_every_cent(clean: Built) -> None:
    warehouse, month, _ = clean
    ((coop, revenue, cogs),) = query(
        warehouse,
        "SELECT sum(coop), sum(revenue_net_cost), sum(cogs) FROM marts.asin_profitability"
        " WHERE period_date < DATE '2024-04-01'",
    )
    assert coop == -month.expected_by_class["COOP"]  # to the cent: largest remainder
    assert revenue == sum(i.amount for i in month.invoices)
    unit_cost = {item.sku: item.cost for item in month.items}
    assert cogs == sum(
        line.quantity * unit_cost[line.sku] for i in month.invoices for line in i.lines
    )


def test_rerunning_a_partition_changes_nothing(clean: Built, module_tmp: Path) -> None:
    warehouse, _, _ = clean
    tables = [
        "finance.cash_application",
        "finance.settlement_reconciliation",
        "finance.gl_postings",
        "marts.asin_profitability",
    ]
    before = {t: sorted(query(warehouse, f"SELECT * FROM {t}"), key=repr) for t in tables}
    run = run_dbt_build(warehouse, module_tmp / "rerun", {"settlement_date": "2024-03-14"})
    assert run.returncode == 0, run.output[-3000:]
    after = {t: sorted(query(warehouse, f"SELECT * FROM {t}"), key=repr) for t in tables}
    assert after == before


def postable(warehouse: Path) -> dict[str, tuple[bool, str | None]]:
    """Payment -> (is_postable, posting_blocked_reason) as the posting gate sees it."""
    return {
        payment: (is_postable, reason)
        for payment, is_postable, reason in query(
            warehouse,
            "SELECT settlement_id, is_postable, posting_blocked_reason"
            " FROM finance.settlement_reconciliation WHERE grain = 'payment'",
        )
    }


def test_clean_month_holds_no_payment(clean: Built) -> None:
    warehouse, _, run = clean
    assert run.status(GATE) == "pass"
    assert set(postable(warehouse).values()) == {(True, None)}
    held = query(
        warehouse,
        "SELECT sum(held_payment_count) FROM finance.settlement_reconciliation"
        " GROUP BY grain ORDER BY grain",
    )
    assert held == [(0,), (0,)]


def test_injected_variance_holds_only_its_payment(builds: dict[str, Built]) -> None:
    warehouse, month, run = builds["variance"]
    # A warning, not a failed build: every model downstream is built for every payment.
    assert run.returncode == 0, run.output[-3000:]
    assert run.status(VARIANCE_TEST) == "warn"
    assert run.status(UNMAPPED_TEST) == "pass"
    assert run.status(GATE) == "pass"
    assert run.status("asin_profitability") == "success"
    variances = query(
        warehouse,
        "SELECT settlement_id, unexplained_variance FROM finance.settlement_reconciliation"
        " WHERE grain = 'payment' AND unexplained_variance <> 0",
    )
    faulty = month.payments[-1]
    assert variances == [(faulty.payment_number, Decimal("250.00"))]
    gate = postable(warehouse)
    is_postable, reason = gate.pop(faulty.payment_number)
    assert not is_postable and reason.startswith("unexplained_variance: 250.00 beyond tolerance")
    assert set(gate.values()) == {(True, None)}
    ((day_held,),) = query(
        warehouse,
        "SELECT held_payment_count FROM finance.settlement_reconciliation"
        f" WHERE reconciliation_id = 'day:{faulty.payment_date.isoformat()}'",
    )
    assert day_held == 1


def test_unknown_code_holds_only_its_payment(builds: dict[str, Built]) -> None:
    warehouse, month, run = builds["unknown"]
    assert run.returncode == 0, run.output[-3000:]
    assert run.status(UNMAPPED_TEST) == "warn"
    assert run.status(BALANCE_TEST) == "pass"
    assert run.status(GATE) == "pass"
    unmapped = query(
        warehouse,
        "SELECT class_code, debit FROM finance.gl_postings WHERE gl_account_number IS NULL",
    )
    assert unmapped == [("UNKNOWN", Decimal("19.99"))]
    gate = postable(warehouse)
    is_postable, reason = gate.pop(month.payments[-1].payment_number)
    assert not is_postable
    assert reason.startswith("unmapped_deduction_code: 1 charge(s) without a GL account")
    assert set(gate.values()) == {(True, None)}
    # Downstream of the held payment, the day's marts were built all the same.
    ((rows,),) = query(
        warehouse,
        "SELECT count(*) FROM marts.asin_profitability"
        f" WHERE period_date = DATE '{month.payments[-1].payment_date.isoformat()}'",
    )
    assert rows > 0


def test_a_warehouse_from_before_the_gate_is_held_until_its_day_is_rebuilt(
    clean: Built, module_tmp: Path
) -> None:
    source, month, _ = clean
    warehouse = module_tmp / "legacy" / "warehouse.duckdb"
    warehouse.parent.mkdir()
    shutil.copy(source, warehouse)
    with duckdb.connect(str(warehouse)) as conn:
        for column in (
            "vendor_code",
            "posting_blocked_reason",
            "is_postable",
            "held_payment_count",
        ):
            conn.execute(f"ALTER TABLE finance.settlement_reconciliation DROP COLUMN {column}")
    rebuilt = month.payments[0].payment_date.isoformat()
    run = run_dbt_build(warehouse, module_tmp / "legacy", {"settlement_date": rebuilt})
    assert run.returncode == 0, run.output[-3000:]
    gate = postable(warehouse)
    assert gate.pop(month.payments[0].payment_number) == (True, None)
    # Days not rebuilt since carry NULLs: not postable until their own run checks them.
    assert set(gate.values()) == {(None, None)}


def test_a_partition_run_reuses_the_parse_and_scopes_its_tests_to_the_day(clean: Built) -> None:
    # The warehouse's own target folder, as the Dagster asset keeps it: the full build above
    # parsed there; each day after it must reuse that parse (the window is no --vars) while its
    # models and its scoped tests read that day only.
    warehouse, _, _ = clean
    for day in ("2024-03-14", "2024-03-15"):
        run = run_dbt_build(warehouse, warehouse.parent, {"settlement_date": day})
        assert run.returncode == 0, run.output[-3000:]
        assert "Unable to do partial parsing" not in run.output, run.output[:2000]
        compiled = warehouse.parent / "target" / "compiled" / "dbt_finance" / "models" / "finance"
        (unique_line,) = (compiled / "schema.yml").glob(
            "unique_int_remittance_lines_classified_line_id*.sql"
        )
        window = f"settlement_date between date '{day}' - 0 and date '{day}'"
        assert window in unique_line.read_text()
        assert window in (compiled / "int_remittance_lines_classified.sql").read_text()
