"""`vendor-pipelines remittance check`: the same payment in every shape gives the same items."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from remittance_samples import (
    EXPECTED_ITEMS,
    PAYMENT_NUMBER,
    TOTAL,
    VC_LINES_ONLY,
    VC_STACKED,
    X12_820,
)

from vendor_pipelines.finance.remittance_check import check_bytes


def tab_separated(text: str) -> str:
    """The export as Excel saves it as "Unicode text": tab-separated (then UTF-16 encoded)."""
    out = io.StringIO()
    csv.writer(out, delimiter="\t", lineterminator="\r\n").writerows(csv.reader(io.StringIO(text)))
    return out.getvalue()


SHAPES = {
    "820": X12_820.encode(),
    "stacked.csv": VC_STACKED.encode(),
    "lines-only.csv": VC_LINES_ONLY.encode(),
    "utf8-bom.csv": VC_STACKED.encode("utf-8-sig"),
    "utf16.txt": tab_separated(VC_STACKED).encode("utf-16"),
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_every_shape_of_one_payment_gives_the_same_classified_items(shape: str) -> None:
    checked = check_bytes(SHAPES[shape], f"payment.{shape}")
    assert checked.status == "accepted", checked.reason
    assert checked.payment_number == PAYMENT_NUMBER
    assert Decimal(checked.total or "") == TOTAL
    got = [
        (i.reference, i.amount, i.class_code, i.original_invoice, i.links_to) for i in checked.lines
    ]
    assert got == EXPECTED_ITEMS
    assert sum(Decimal(i.amount) for i in checked.lines) == TOTAL
    # The payment date is the file's: the line-only export does not state one.
    assert checked.payment_date == (None if shape == "lines-only.csv" else "2026-11-02")


def test_the_820_gives_each_line_its_vendor_code_and_purchase_order() -> None:
    checked = check_bytes(SHAPES["820"], "payment.820")
    assert {i.vendor_code for i in checked.lines} == {"ACME1"}
    assert [i.purchase_order for i in checked.lines[1:5]] == ["PO-1", "PO-1", "PO-2", "PO-2"]


def test_the_command_prints_json_and_exits_1_on_a_rejected_file(tmp_path: Path) -> None:
    good = tmp_path / "good.820"
    good.write_bytes(SHAPES["820"])
    cut = tmp_path / "cut.820"
    cut.write_bytes(X12_820.encode()[: X12_820.index("GE*")])  # ends right after SE
    command = [
        str(Path(sys.executable).with_name("vendor-pipelines")),
        "remittance",
        "check",
        "--json",
    ]
    done = subprocess.run([*command, str(good), str(cut)], capture_output=True, text=True)
    assert done.returncode == 1, done.stderr
    files = json.loads(done.stdout)
    assert [f["status"] for f in files] == ["accepted", "rejected"]
    assert files[0]["lines"][5] == {
        "reference": "INV-5001SC",
        "purchase_order": None,
        "vendor_code": "ACME1",
        "amount": "-45.00",
        "class": "SHORTAGE",
        "original_invoice": "INV-5001",
        "links_to": None,
        "payment_number": PAYMENT_NUMBER,
    }
    assert "truncated" in files[1]["reason"]
    only_good = subprocess.run([*command[:-1], str(good)], capture_output=True, text=True)
    assert only_good.returncode == 0, only_good.stderr
    assert "INV-4999SCR" in only_good.stdout and "SHORTAGE_REVERSAL" in only_good.stdout
