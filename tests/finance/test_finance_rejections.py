"""Rejected files: which payments they still name, and when their rejection stops standing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from vendor_pipelines import warehouse_schema
from vendor_pipelines.finance.load import (
    STANDING_REJECTIONS,
    load_remittance_bytes,
    payments_named_in,
)

ISA = (
    "ISA*00*          *00*          *ZZ*AMAZON         *ZZ*VENDORPIPES    "
    "*260307*1200*U*00401*000000001*0*P*>~"
)
MONDAY = datetime(2026, 3, 9, 8, tzinfo=UTC)


def x12(*payments: tuple[str, str]) -> str:
    """An 820 interchange with one transaction set per (payment number, amount)."""
    segments = [ISA.rstrip("~"), "GS*RA*AMAZON*VENDORPIPES*20260307*1200*1*X*004010"]
    for index, (number, amount) in enumerate(payments, start=1):
        body = [
            f"ST*820*{index:04d}",
            f"BPR*C*{amount}*C*ACH*CCP*01*011000015*DA*1*2**01*021000021*DA*3*20260307",
            f"TRN*1*{number}*1234567890",
            "CUR*PR*USD",
            "N1*PR*AMAZON.COM SERVICES LLC",
            "ENT*1",
            f"RMR*IV*INV-{number}**{amount}*{amount}",
        ]
        segments += [*body, f"SE*{len(body) + 1}*{index:04d}"]
    segments += ["GE*1*1", "IEA*1*000000001"]
    return "~\n".join(segments) + "~\n"


def vc_csv(payment: str, amount: str = "250.00", paid: str | None = None) -> str:
    return (
        "Payment Number,Payment Date,Amount in Invoice Currency\n"
        f'{payment},03/07/2026,"${amount}"\n\n'
        "Payment Number,Invoice Number,Transaction Description,Amount Paid\n"
        f"{payment},INV-{payment},Payments,{paid or amount}\n"
    )


@pytest.fixture
def conn(tmp_path: Path) -> duckdb.DuckDBPyConnection:
    conn = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    warehouse_schema.apply(conn)
    return conn


def standing(conn: duckdb.DuckDBPyConnection) -> list[str]:
    rows = conn.execute(f"select file_name from ({STANDING_REJECTIONS})").fetchall()
    return [name for (name,) in rows]


def test_a_partial_820_names_only_the_payments_it_completed() -> None:
    whole = x12(("PAY-8001", "100.00"), ("PAY-8002", "200.00"))
    assert payments_named_in(whole.encode()) == ["PAY-8001", "PAY-8002"]
    cut = whole[: whole.index("TRN*1*PAY-8002") + len("TRN*1*PAY-80")]
    assert payments_named_in(cut.encode()) == ["PAY-8001"], "half a number is no number"


def test_a_partial_csv_names_its_payment_once_the_row_is_complete() -> None:
    whole = vc_csv("8011")
    assert payments_named_in(whole.encode()) == ["8011"]
    assert payments_named_in(whole[: whole.index("8011") + 2].encode()) == []
    assert payments_named_in(b"\x00\xff garbage") == []


def test_a_rejection_resolves_when_a_later_file_carries_its_payment(
    conn: duckdb.DuckDBPyConnection,
) -> None:
    partial = x12(("PAY-8101", "100.00"))
    partial = partial[: partial.index("SE*")]  # cut before its trailer
    result = load_remittance_bytes(conn, partial.encode(), "upload-1.820", now=MONDAY)
    assert result.status == "quarantined"
    assert standing(conn) == ["upload-1.820"]
    complete = x12(("PAY-8101", "100.00"))
    later = MONDAY + timedelta(minutes=5)
    assert load_remittance_bytes(conn, complete.encode(), "upload-2.820", now=later).status == (
        "loaded"
    )
    assert standing(conn) == []


def test_a_same_named_file_paying_something_else_leaves_the_rejection_standing(
    conn: duckdb.DuckDBPyConnection,
) -> None:
    # Vendor Central names every export alike: next week's good Payments.csv is other cash.
    wrong_total = vc_csv("8201", amount="250.00", paid="240.00")
    result = load_remittance_bytes(conn, wrong_total.encode(), "Payments.csv", now=MONDAY)
    assert result.status == "quarantined"
    next_week = MONDAY + timedelta(days=7)
    good = vc_csv("8202")
    assert load_remittance_bytes(conn, good.encode(), "Payments.csv", now=next_week).status == (
        "loaded"
    )
    assert standing(conn) == ["Payments.csv"]


def test_a_rejection_is_not_resolved_by_a_good_file_loaded_before_it(
    conn: duckdb.DuckDBPyConnection,
) -> None:
    # A file giving a payment already loaded another amount is rejected (which one is right is
    # for finance to say) and stays for finance to look at: the earlier file does not close it.
    assert load_remittance_bytes(conn, vc_csv("8301").encode(), "a.csv", now=MONDAY).status == (
        "loaded"
    )
    re_export = ("Re-export\n\n" + vc_csv("8301", amount="260.00")).encode()
    later = MONDAY + timedelta(hours=1)
    result = load_remittance_bytes(conn, re_export, "a.csv", now=later)
    assert result.status == "quarantined"
    assert standing(conn) == ["a.csv"]


def test_the_same_payment_again_is_a_repeat_not_a_rejection(
    conn: duckdb.DuckDBPyConnection,
) -> None:
    assert load_remittance_bytes(conn, vc_csv("8401").encode(), "a.csv", now=MONDAY).status == (
        "loaded"
    )
    re_export = ("Re-export\n\n" + vc_csv("8401")).encode()
    result = load_remittance_bytes(conn, re_export, "b.csv", now=MONDAY + timedelta(hours=1))
    assert result.status == "repeated"
    assert standing(conn) == []
