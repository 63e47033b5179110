"""A build judges again only the dispute cases whose evidence changed, and ends where judging
every case from scratch ends: finance.int_dispute_judgements after each `dbt build` equals the
model rendered without a stored table (`finance.dbt_sql`, the close pack's full judgement).

The records are dispute_records.py's; each test builds them once, changes what a late fact
would change, and builds the same window again (or a window that moved)."""

from __future__ import annotations

import shutil
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb
import pytest
from dbt_build import run_dbt_build
from dispute_records import BUILT_AS_OF, SHIPPED_AT, make_warehouse, vc_export

from vendor_pipelines.finance import load_remittance_bytes
from vendor_pipelines.finance.close_pack import dispute_models_sql

pytestmark = pytest.mark.slow

WINDOW = {"settlement_date": "2026-11-01", "settlement_date_end": BUILT_AS_OF}
# A case nothing below touches (INV-7, SHIP-7, PO-7, item 3 stay as they were).
UNTOUCHED = "SC-INV-7SC"
PLANTED = "(as stored by the build before)"


@pytest.fixture(scope="module")
def first_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The records built once; each test restores the warehouse as built to the same path, so
    its builds reuse the first one's dbt parse (a new path is a new profile, parsed anew)."""
    folder = tmp_path_factory.mktemp("judgements")
    make_warehouse(folder / "warehouse.duckdb")
    run = run_dbt_build(folder / "warehouse.duckdb", folder, WINDOW)
    assert run.returncode == 0, run.output[-4000:]
    shutil.copyfile(folder / "warehouse.duckdb", folder / "as_built.duckdb")
    return folder


def as_built(first_build: Path) -> Path:
    warehouse = first_build / "warehouse.duckdb"
    shutil.copyfile(first_build / "as_built.duckdb", warehouse)
    return warehouse


def build(warehouse: Path, variables: dict[str, str]) -> None:
    run = run_dbt_build(warehouse, warehouse.parent, variables)
    assert run.returncode == 0, run.output[-4000:]
    assert run.status("int_dispute_judgements") == "success"


def rows(warehouse: Path, sql: str) -> dict[str, dict[str, Any]]:
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        cursor = conn.execute(sql)
        names = [d[0] for d in cursor.description]
        return {row[0]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}


def stored(warehouse: Path) -> dict[str, dict[str, Any]]:
    return rows(warehouse, "SELECT * FROM finance.int_dispute_judgements")


def judged_from_scratch(warehouse: Path, as_of: str) -> dict[str, dict[str, Any]]:
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        sql = dispute_models_sql(date.fromisoformat(as_of), conn)["int_dispute_judgements"]
    return rows(warehouse, sql)


def test_late_evidence_re_judges_the_cases_it_touches_and_only_them(first_build: Path) -> None:
    warehouse = as_built(first_build)
    before = stored(warehouse)
    assert before == judged_from_scratch(warehouse, BUILT_AS_OF)
    with duckdb.connect(str(warehouse)) as conn:
        # a row of a case with no new evidence: a build that judged it again would restore it
        conn.execute(
            "UPDATE finance.int_dispute_judgements SET judgement_reason = ? WHERE case_id = ?",
            [PLANTED, UNTOUCHED],
        )
        # SHIP-2's carton weighed again: it held the 12 units (13.7 lb), not 11
        conn.execute(
            "UPDATE raw.netsuite_fulfilment_packages SET weight_lb = 13.7"
            " WHERE fulfilment_id = 'F2'"
        )
        # SHIP-3's ASN as the ledger now has it: sent an hour after the shipment left
        conn.execute(
            "UPDATE ops.submissions SET first_attempt_at = ? WHERE submission_key = 'SHIP-3'",
            [SHIPPED_AT.replace(hour=11)],
        )
        # Amazon re-costed PO-10 back to the 10.00 we invoiced
        conn.execute(
            "UPDATE raw.amazon_purchase_order_lines SET net_cost = 10.00"
            " WHERE purchase_order_number = 'PO-10'"
        )
        # B0B's weight corrected in NetSuite (item 2, in SHIP-1's second carton)
        conn.execute("UPDATE raw.netsuite_items SET weight = 9 WHERE item_id = '2'")
        # INV-5 reached NetSuite
        conn.execute(
            "INSERT INTO raw.netsuite_invoices (invoice_id, tranid, po_number, vendor_code,"
            " customer_id, trandate, due_date, total, currency)"
            " VALUES ('105', 'INV-5', 'PO-5', 'ACME1', '77', '2026-10-01', '2026-10-31', 70, 'USD')"
        )
        conn.execute(
            "INSERT INTO raw.netsuite_invoice_lines VALUES ('105', 1, 'SKU-A', 'B0A', 7, 10, 70)"
        )
        # and Amazon reversed INV-3's shortage on the window's last day
        reversal = vc_export(
            "PAY-3",
            "11/20/2026",
            [("INV-3SCR", "Shortage claim reversal", "PO-3", "INV-3", "10.00")],
        )
        loaded = load_remittance_bytes(
            conn, reversal.encode(), "pay3.csv", now=datetime(2026, 11, 20, 19, tzinfo=UTC)
        )
        assert loaded.status == "loaded"

    build(warehouse, WINDOW)

    after = stored(warehouse)
    # not judged again: it keeps what it held, even the planted sentence
    assert after[UNTOUCHED]["judgement_reason"] == PLANTED
    assert after[UNTOUCHED]["evidence_fingerprint"] == before[UNTOUCHED]["evidence_fingerprint"]
    # everything else is what judging every case from scratch says now
    scratch = judged_from_scratch(warehouse, BUILT_AS_OF)
    assert {k: v for k, v in after.items() if k != UNTOUCHED} == {
        k: v for k, v in scratch.items() if k != UNTOUCHED
    }
    # and each late fact changed its cases
    judged = {k: (v["judgement"], v["judgement_reason"]) for k, v in after.items()}
    assert before["SC-INV-2SC"]["judgement"] == "valid"
    assert judged["SC-INV-2SC"][0] == "disputable"  # the carton held all 12
    assert before["CB-32345678VCBSINV"]["judgement"] == "valid"
    assert judged["CB-32345678VCBSINV"][0] == "disputable"  # SHIP-2's units now agree
    assert before["CB-22345678VCBSINV"]["judgement"] == "valid"
    assert judged["CB-22345678VCBSINV"][0] == "disputable"  # the ASN went on time
    assert "net cost of 9.7" in before["PC-INV-10"]["judgement_reason"]
    assert "net cost of 10.0" in judged["PC-INV-10"][1]
    assert "is not in NetSuite" in before["SC-INV-5SC"]["judgement_reason"]
    assert "no NetSuite fulfilment is linked to invoice INV-5" in judged["SC-INV-5SC"][1]
    assert after["SC-INV-3SC"]["recovered_amount"] == 10
    assert before["SC-INV-1SC"]["weighed_units"] == after["SC-INV-1SC"]["weighed_units"]
    assert (
        before["SC-INV-1SC"]["evidence_fingerprint"] != after["SC-INV-1SC"]["evidence_fingerprint"]
    )
    changed = {k for k in before if before[k] != after.get(k)}
    assert changed == {
        UNTOUCHED,  # the planted sentence
        "SC-INV-1SC",  # its carton's item weight (the hash; the units still round to 6)
        "CB-12345678VCBSINV",  # SHIP-1 is PO-1's shipment, as are the next two
        "CB-42345678VCBSINV",
        "CB-52345678VCBSINV",
        "SC-INV-2SC",
        "CB-32345678VCBSINV",
        "SC-INV-3SC",
        "CB-22345678VCBSINV",
        "PC-INV-10",
        "SC-INV-5SC",
    }


def test_a_window_that_moves_back_and_forth_keeps_the_cases_of_its_end(first_build: Path) -> None:
    """Also from a table that predates the stored hash (as a warehouse judged in full each
    build had it): it gains the column at its next build, every case judged once more."""
    warehouse = as_built(first_build)
    full = stored(warehouse)
    with duckdb.connect(str(warehouse)) as conn:
        conn.execute("ALTER TABLE finance.int_dispute_judgements DROP COLUMN evidence_fingerprint")
        conn.execute(
            "UPDATE finance.int_dispute_judgements SET judgement_reason = ? WHERE case_id = ?",
            [PLANTED, UNTOUCHED],
        )
    # a late file's day rebuilt alone: the cases as of 2026-11-02, before PAY-2's reversals
    build(warehouse, {"settlement_date": "2026-11-02"})
    back = stored(warehouse)
    assert back == judged_from_scratch(warehouse, "2026-11-02")
    assert back[UNTOUCHED]["judgement_reason"] != PLANTED
    assert back["SC-INV-1SC"]["recovered_amount"] == 0
    assert full["SC-INV-1SC"]["recovered_amount"] == 30
    # then the night's build as of the window's end again
    build(warehouse, WINDOW)
    assert stored(warehouse) == full
