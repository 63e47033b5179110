"""The hand-written payment of `remittance_samples` through the warehouse: claims paired with
their own reversals, dispute clocks from the invoice due date, a repeat in the other format
recorded and not counted, and unexplained variance held to the cent."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from dbt_build import finish_dbt_build, start_dbt_build
from remittance_samples import PAYMENT_NUMBER, VC_LINES_ONLY, VC_STACKED, X12_820

from vendor_pipelines import warehouse_schema
from vendor_pipelines.finance import load_remittance_bytes

pytestmark = pytest.mark.slow

AS_OF = "2026-11-02"  # the payment's day: the build's window, and the day open items are aged
MONDAY = datetime(2026, 11, 2, 18, tzinfo=UTC)


# A second payment of the same day whose lines the export hides (ordering codes missing on the
# Vendor Central user): 250.00 paid, no line visible, so 250.00 of settlement drift.
HIDDEN = """Payment Number,Payment Date,Amount in Invoice Currency
PAY-78,11/02/2026,250.00

Payment Number,"Lines of these payments are hidden because ordering codes are not set up \
in your account: PAY-78"

Payment Number,Invoice Number,Transaction Description,Amount Paid
"""


def build(
    folder: Path, inv_5001_total: str, variables: dict[str, str], *, hidden: bool = False
) -> Path:
    folder.mkdir()
    warehouse = folder / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as conn:
        warehouse_schema.apply(conn)
        # Invoices billed on 2026-10-01 on Net 30 terms: due 2026-10-31. INV-4999 was paid
        # by an earlier payment; only its shortage reversal is on this one.
        conn.execute(
            "INSERT INTO raw.netsuite_invoices (invoice_id, tranid, external_id, po_number,"
            " vendor_code, customer_id, trandate, due_date, total, amount_remaining, status,"
            " currency) VALUES"
            " ('5001', 'INV-5001', 'AMZ-INV-5001', 'PO-1', 'ACME1', '77', '2026-10-01',"
            f"  '2026-10-31', {inv_5001_total}, 0, 'Paid In Full', 'USD'),"
            " ('5002', 'INV-5002', 'AMZ-INV-5002', 'PO-2', 'ACME1', '77', '2026-10-01',"
            "  '2026-10-31', 500.00, 0, 'Paid In Full', 'USD'),"
            " ('4999', 'INV-4999', 'AMZ-INV-4999', 'PO-0', 'ACME1', '77', '2026-09-01',"
            "  '2026-10-01', 800.00, 0, 'Paid In Full', 'USD')"
        )
        assert load_remittance_bytes(conn, X12_820.encode(), "pay.820", now=MONDAY).status == (
            "loaded"
        )
        if hidden:
            assert load_remittance_bytes(
                conn, HIDDEN.encode(), "hidden.csv", now=MONDAY
            ).status == ("loaded")
        for name, content in (("export.csv", VC_STACKED), ("lines.csv", VC_LINES_ONLY)):
            repeat = load_remittance_bytes(conn, content.encode(), name, now=MONDAY)
            assert (repeat.status, repeat.payments) == ("repeated", 1)
    run = finish_dbt_build(
        start_dbt_build(warehouse, folder, {"settlement_date": AS_OF, **variables}), folder
    )
    assert run.returncode == 0, run.output[-3000:]
    return warehouse


@pytest.fixture(scope="module")
def warehouses(module_tmp: Path) -> dict[str, Path]:
    return {
        "exact": build(module_tmp / "exact", "1000.00", {}),
        "one_cent": build(module_tmp / "one_cent", "1000.01", {}),
        "tolerated": build(module_tmp / "tolerated", "1000.01", {"variance_tolerance": "0.01"}),
        "drift": build(module_tmp / "drift", "1000.00", {}, hidden=True),
    }


def rows(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        return conn.execute(sql).fetchall()


def test_each_claim_nets_with_its_own_reversal(warehouses: dict[str, Path]) -> None:
    open_items = {
        key: (amount, deadline, basis)
        for key, amount, deadline, basis in rows(
            warehouses["exact"],
            "SELECT deduction_key, open_amount, dispute_deadline::varchar, clock_basis"
            " FROM finance.open_deductions",
        )
    }
    assert open_items == {
        # the shortage claim: 30 days after INV-5001 is due (2026-10-31)
        "SHORTAGE:INV-5001SC": (Decimal("45.00"), "2026-11-30", "invoice_due_date"),
        # the price claim has no id of its own: it is claimed on its invoice
        "PRICE_CLAIM:INV-5002": (Decimal("30.00"), "2026-11-30", "invoice_due_date"),
        # co-op: 90 days from the day Amazon took it
        "COOP:6268-1234567890": (Decimal("100.00"), "2027-01-31", "settlement_date"),
        "FREIGHT_ALLOWANCE:CB777": (Decimal("12.34"), None, "settlement_date"),
    }
    # The provision and its own reversal pair (nothing open); the reversal of INV-4999's
    # earlier claim names that claim, and no open item is invented for it.
    reversal = rows(
        warehouses["exact"],
        "SELECT claim_key, links_to, original_invoice FROM finance.int_settlement_charges"
        " WHERE reference = 'INV-4999SCR'",
    )
    assert reversal == [("INV-4999SC", "INV-4999SC", "INV-4999")]


def test_the_payment_ties_to_the_cent_and_the_repeats_add_nothing(
    warehouses: dict[str, Path],
) -> None:
    ((payments, variance, postable),) = rows(
        warehouses["exact"],
        "SELECT (SELECT count(*) FROM raw.remittance_payments), unexplained_variance, is_postable"
        f" FROM finance.settlement_reconciliation WHERE settlement_id = '{PAYMENT_NUMBER}'",
    )
    assert (payments, variance, postable) == (1, Decimal("0.00"), True)
    repeats = rows(
        warehouses["exact"],
        "SELECT r.file_name, r.source_format, f.file_name FROM raw.remittance_repeats r"
        " JOIN raw.remittance_files f ON f.file_hash = r.loaded_file_hash ORDER BY 1",
    )
    assert repeats == [
        ("export.csv", "vc_payments_csv", "pay.820"),
        ("lines.csv", "vc_payments_csv", "pay.820"),
    ]


def test_one_cent_of_unexplained_variance_holds_the_payment_unless_tolerated(
    warehouses: dict[str, Path],
) -> None:
    query = (
        "SELECT unexplained_variance, variance_tolerance, is_postable, posting_blocked_reason"
        f" FROM finance.settlement_reconciliation WHERE settlement_id = '{PAYMENT_NUMBER}'"
    )
    ((variance, tolerance, postable, reason),) = rows(warehouses["one_cent"], query)
    assert (variance, tolerance, postable) == (Decimal("0.01"), Decimal("0.00"), False)
    assert reason.startswith("unexplained_variance: 0.01 beyond tolerance 0.00")
    ((variance, tolerance, postable, reason),) = rows(warehouses["tolerated"], query)
    assert (variance, tolerance, postable, reason) == (
        Decimal("0.01"),
        Decimal("0.01"),
        True,
        None,
    )


def test_settlement_drift_holds_its_payment_and_the_other_of_the_day_posts(
    warehouses: dict[str, Path],
) -> None:
    held = dict(
        (number, (drift, postable, reason))
        for number, drift, postable, reason in rows(
            warehouses["drift"],
            "SELECT settlement_id, file_drift, is_postable, posting_blocked_reason"
            " FROM finance.settlement_reconciliation WHERE grain = 'payment'",
        )
    )
    assert held[PAYMENT_NUMBER] == (Decimal("0.00"), True, None)
    drift, postable, reason = held["PAY-78"]
    assert (drift, postable) == (Decimal("250.00"), False)
    assert "settlement_drift: payment differs from its lines by 250.00" in reason
