"""Raw loading: whole file or nothing, once per content hash, quarantine with the reason."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandera.errors
import pytest

from vendor_pipelines import warehouse_schema
from vendor_pipelines.finance import load_remittance_file
from vendor_pipelines.finance.pandera_schema import REMITTANCE_LINE_SCHEMA

INVOICE_HEADER = (
    "Payment Number,Invoice Number,Transaction Description,Invoice Amount,Terms Discount Taken,"
    "Amount Paid"
)
GOOD = f"""Payment Number,Payment Date,Amount in Invoice Currency
5001,03/07/2024,"$1,000.00"

{INVOICE_HEADER}
5001,INV-1,Payments,"1,020.41",20.41,"1,000.00"
"""
# 1,000.00 + 250.00 - 40.00 = 1,210.00, but the header says 1,250.00: the whole file must go.
BAD = """Payment Number,Payment Date,Amount in Invoice Currency
5002,03/08/2024,"$1,250.00"

Payment Number,Invoice Number,Transaction Description,Amount Paid
5002,INV-2,Payments,"1,000.00"
5002,INV-3,Payments,250.00
5002,INV-2SC,Shortage claim,(40.00)
"""


@pytest.fixture
def conn(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    warehouse_schema.apply(connection)
    return connection


def count(conn: duckdb.DuckDBPyConnection, table: str) -> int:
    row = conn.execute(f"SELECT count(*) FROM raw.{table}").fetchone()
    assert row is not None
    return int(row[0])


def test_same_file_twice_is_loaded_once(conn: duckdb.DuckDBPyConnection, tmp_path: Path) -> None:
    first = tmp_path / "inbox" / "a.csv"
    first.parent.mkdir()
    first.write_text(GOOD)
    copy = tmp_path / "inbox" / "a-copy.csv"
    copy.write_text(GOOD)
    assert load_remittance_file(conn, first).status == "loaded"
    again = load_remittance_file(conn, copy)
    assert again.status == "duplicate"
    assert (count(conn, "remittance_files"), count(conn, "remittance_payments")) == (1, 1)
    assert count(conn, "remittance_lines") == 1
    row = conn.execute(
        "SELECT amount, invoice_amount, discount_amount FROM raw.remittance_lines"
    ).fetchone()
    assert row is not None
    assert [str(v) for v in row] == ["1000.00", "1020.41", "20.41"]


def test_bad_file_is_quarantined_whole_with_its_reason(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(BAD)
    result = load_remittance_file(conn, path)
    assert result.status == "quarantined"
    assert count(conn, "remittance_payments") == 0
    assert count(conn, "remittance_lines") == 0
    quarantined = conn.execute(
        "SELECT file_name, error_line, error_segment, error_field, reason"
        " FROM raw.remittance_quarantine"
    ).fetchall()
    assert len(quarantined) == 1
    name, line, segment, field, reason = quarantined[0]
    assert (name, line, segment, field) == ("bad.csv", 2, "payments", "amount in payment currency")
    assert "1210.00" in reason
    # Dropping it again neither loads it nor adds a second exception row.
    assert load_remittance_file(conn, path).status == "quarantined"
    assert count(conn, "remittance_quarantine") == 1


def test_a_payment_already_loaded_from_another_file_is_a_repeat_not_counted_twice(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    (tmp_path / "a.csv").write_text(GOOD)
    (tmp_path / "b.csv").write_text("Title of a re-export\n\n" + GOOD)  # other bytes, same payment
    assert load_remittance_file(conn, tmp_path / "a.csv").status == "loaded"
    result = load_remittance_file(conn, tmp_path / "b.csv")
    assert (result.status, result.payments, result.reason) == ("repeated", 1, None)
    assert count(conn, "remittance_payments") == 1
    assert count(conn, "remittance_quarantine") == 0
    assert conn.execute(
        "SELECT file_name, payment_number FROM raw.remittance_repeats"
    ).fetchall() == [("b.csv", "5001")]


def test_a_loaded_payment_with_another_amount_is_rejected(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    (tmp_path / "a.csv").write_text(GOOD)
    assert load_remittance_file(conn, tmp_path / "a.csv").status == "loaded"
    other = GOOD.replace("1,000.00", "999.00").replace("20.41", "21.41")  # still ties
    assert other != GOOD
    (tmp_path / "b.csv").write_text(other)
    result = load_remittance_file(conn, tmp_path / "b.csv")
    assert result.status == "quarantined"
    assert result.reason is not None and "payment 5001 was loaded from file" in result.reason
    assert count(conn, "remittance_payments") == 1


def test_pandera_schema_accepts_loaded_lines_and_rejects_bad_ones(
    conn: duckdb.DuckDBPyConnection, tmp_path: Path
) -> None:
    (tmp_path / "a.csv").write_text(GOOD)
    load_remittance_file(conn, tmp_path / "a.csv")
    frame = conn.sql("SELECT * FROM raw.remittance_lines").df()
    REMITTANCE_LINE_SCHEMA.validate(frame, lazy=True)
    frame.loc[0, "discount_amount"] = -5.0
    frame.loc[0, "record_kind"] = "XYZ"
    with pytest.raises(pandera.errors.SchemaErrors) as caught:
        REMITTANCE_LINE_SCHEMA.validate(frame, lazy=True)
    failed = set(caught.value.failure_cases["column"])
    assert {"discount_amount", "record_kind"} <= failed


def test_a_warehouse_made_before_a_line_field_existed_gains_its_column(tmp_path: Path) -> None:
    conn = duckdb.connect(str(tmp_path / "old.duckdb"))
    conn.execute("CREATE SCHEMA raw")
    # raw.remittance_lines as the first release made it: no lineage, vendor code or currency
    conn.execute(
        "CREATE TABLE raw.remittance_lines (file_hash VARCHAR NOT NULL, payment_number VARCHAR"
        " NOT NULL, settlement_date DATE NOT NULL, line_no INTEGER NOT NULL, record_kind VARCHAR"
        " NOT NULL, reference VARCHAR NOT NULL, amount DECIMAL(18,2) NOT NULL,"
        " PRIMARY KEY (file_hash, line_no))"
    )
    conn.execute(
        "INSERT INTO raw.remittance_lines VALUES ('old', '4001', DATE '2024-01-02', 1, 'CSV',"
        " 'INV-0', 10.00)"
    )
    warehouse_schema.apply(conn)  # as opening the warehouse does
    (tmp_path / "a.csv").write_text(GOOD)
    assert load_remittance_file(conn, tmp_path / "a.csv").status == "loaded"
    columns = {row[0] for row in conn.execute("DESCRIBE raw.remittance_lines").fetchall()}
    assert {"vendor_code", "original_invoice", "links_to", "invoice_currency"} <= columns
    assert conn.execute(
        "SELECT reference, original_invoice FROM raw.remittance_lines ORDER BY file_hash = 'old'"
    ).fetchall() == [("INV-1", None), ("INV-0", None)]
