"""Tiny-scale smoke test of the benchmark's data path (no dbt, no timing assertions)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb

from vendor_pipelines import warehouse_schema
from vendor_pipelines.finance import load_remittance_file
from vendor_pipelines.finance.classification import classes_of
from vendor_pipelines.remittance import parse_vc_payments_csv
from vendor_sandbox.bench._finance_data import generate_year, nightly_csv


def test_synthetic_year_has_the_issue_proportions_and_a_loadable_nightly_file(
    tmp_path: Path,
) -> None:
    conn = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    warehouse_schema.apply(conn)
    sizes = generate_year(conn, scale=0.001)  # 200 invoices
    assert sizes.invoices == 200
    assert sizes.invoice_lines == 200 * 5  # 5 PO/invoice lines per invoice, as 1M : 200k
    assert sizes.remittance_lines == 200 * 8  # 8 remittance lines per invoice: ≥ 1.5M at 200k
    assert sizes.payments == 200 // 20
    text = nightly_csv(conn)
    document = parse_vc_payments_csv(text)  # raises unless every payment ties to its lines
    assert len(document.lines) == sizes.nightly_lines
    # Every synthetic identifier is one the finance rules know: nothing would block posting.
    classes = set(
        classes_of(
            [(line.reference, line.amount, line.description, None) for line in document.lines]
        )
    )
    assert "UNKNOWN" not in classes
    assert len(classes) >= 14
    path = tmp_path / "nightly.csv"
    path.write_text(text)
    assert load_remittance_file(conn, path).status == "loaded"
    # Loaded year plus the ingested day: every payment still equals the sum of its lines.
    row = conn.execute("SELECT sum(amount) FROM raw.remittance_lines").fetchone()
    payments = conn.execute("SELECT sum(amount) FROM raw.remittance_payments").fetchone()
    assert row is not None and payments is not None
    assert Decimal(row[0]) == Decimal(payments[0])
