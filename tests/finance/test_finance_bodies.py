"""NetSuite body builders: balanced journal entries, deterministic external ids."""

from __future__ import annotations

from datetime import date

import pytest

from vendor_pipelines.finance import (
    UnpostableSettlementError,
    build_customer_payment,
    build_journal_entry,
    to_payload,
)

GL_ROWS = [
    # A shortage of 40.00 and co-op of 56.25 netted, a provision reversal of 20.00 paid back:
    # clearing is credited 40.00 + 56.25 - 20.00 = 76.25.
    {
        "journal_line_no": 2,
        "gl_account_number": "4110",
        "debit": 56.25,
        "credit": 0,
        "memo": "COOP 6268-1",
        "customer_id": "1001",
    },
    {
        "journal_line_no": 1,
        "gl_account_number": "1205",
        "debit": 40.00,
        "credit": 0,
        "memo": "SHORTAGE INV-2SC",
        "customer_id": "1001",
    },
    {
        "journal_line_no": 3,
        "gl_account_number": "1210",
        "debit": 0,
        "credit": 20.00,
        "memo": "PROVISION_REVERSAL X",
        "customer_id": "1001",
    },
    {
        "journal_line_no": 4,
        "gl_account_number": "1010",
        "debit": 0,
        "credit": 76.25,
        "memo": "SETTLEMENT_CLEARING 5002",
        "customer_id": "1001",
    },
]


def test_journal_entry_one_line_per_charge_balanced_and_deterministic() -> None:
    body = to_payload(build_journal_entry("5002", date(2024, 3, 8), GL_ROWS))
    assert body["externalId"] == "AMZ-JE-5002"
    lines = body["line"]["items"]
    assert [line["account"]["id"] for line in lines] == ["1205", "4110", "1210", "1010"]
    assert sum(line.get("debit", 0) for line in lines) == pytest.approx(96.25)
    assert sum(line.get("credit", 0) for line in lines) == pytest.approx(96.25)
    assert lines[0] == {
        "account": {"id": "1205"},
        "debit": 40.0,
        "memo": "SHORTAGE INV-2SC",
        "entity": {"id": "1001"},
    }
    again = to_payload(build_journal_entry("5002", date(2024, 3, 8), list(reversed(GL_ROWS))))
    assert again == body


def test_journal_entry_maps_account_numbers_to_internal_ids() -> None:
    body = build_journal_entry("5002", date(2024, 3, 8), GL_ROWS, account_ids={"1205": "317"})
    assert body.line.items[0].account.id == "317"


def test_unmapped_or_unbalanced_settlements_are_refused() -> None:
    unmapped = [*GL_ROWS[:3], {**GL_ROWS[3], "gl_account_number": None, "memo": "UNKNOWN ZX1"}]
    with pytest.raises(UnpostableSettlementError, match="UNKNOWN ZX1"):
        build_journal_entry("5002", date(2024, 3, 8), unmapped)
    unbalanced = [*GL_ROWS[:3], {**GL_ROWS[3], "credit": 76.24}]
    with pytest.raises(UnpostableSettlementError, match=r"96\.25 != credits 96\.24"):
        build_journal_entry("5002", date(2024, 3, 8), unbalanced)


def test_customer_payment_applies_gross_per_invoice() -> None:
    cash_rows = [
        {"invoice_id": "700", "apply_amount": 1000.00},
        {"invoice_id": "701", "apply_amount": 250.00},
        {"invoice_id": "700", "apply_amount": 0},  # the shortage line on invoice 700
        {"invoice_id": None, "apply_amount": 0},  # co-op, no invoice
    ]
    body = to_payload(build_customer_payment("5002/A", date(2024, 3, 8), "1001", cash_rows))
    assert body["externalId"] == "AMZ-PMT-5002-A"
    assert body["customer"] == {"id": "1001"}
    assert body["payment"] == 1250.0
    assert body["apply"]["items"] == [
        {"doc": {"id": "700"}, "apply": True, "amount": 1000.0},
        {"doc": {"id": "701"}, "apply": True, "amount": 250.0},
    ]
