"""Vendor Central payments export: stacked sections, header-driven columns, money quirks."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from vendor_pipelines.remittance import RemittanceParseError, parse_vc_payments_csv
from vendor_pipelines.remittance.amounts import parse_money

PAYMENT_HEADER = (
    "Payment Number,Payment Date,Invoice Currency,Amount in Invoice Currency,Payment Currency,"
    "Amount in Payment Currency,Payment Type,Payment Status"
)
HIDDEN_WARNING = (
    'Payment Number,"Lines of these payments are hidden because ordering codes are not set up in'
    ' your account: 88002"'
)
# Columns deliberately out of the usual order: the parser must go by the header row.
INVOICE_HEADER = (
    "Amount Paid,Invoice Number,Payment Number,Invoice Date,Transaction type,"
    "Transaction Description,Invoice Amount,Terms Discount Taken"
)
EXPORT = f"""Remittance payments

{PAYMENT_HEADER}
88001,03/14/2024,USD,"$1,931.25",USD,"$1,931.25",ACH,Paid
88002,03/14/2024,USD,"$5,000.00",USD,"$5,000.00",ACH,Paid
{HIDDEN_WARNING}

{INVOICE_HEADER}
"$2,040.00",INV-2001,88001,03/01/2024,Invoice,Payments,"$2,040.00",0.00
"(52.50)",INV-2001SC,88001,,Invoice,Shortage claim,(52.50),0.00
"($56.25)",6268-1234567890,88001,,Others,Co-op,($56.25),
"""


def test_sections_found_by_header_and_columns_by_name() -> None:
    document = parse_vc_payments_csv(EXPORT)
    first, _ = document.payments
    assert first.payment_number == "88001"
    assert first.payment_date == date(2024, 3, 14)
    # 2,040.00 - 52.50 - 56.25 = 1,931.25
    assert first.amount == Decimal("1931.25")
    assert not first.has_hidden_lines
    assert [line.reference for line in document.lines] == [
        "INV-2001",
        "INV-2001SC",
        "6268-1234567890",
    ]
    assert [line.amount for line in document.lines] == [
        Decimal("2040.00"),
        Decimal("-52.50"),
        Decimal("-56.25"),
    ]
    assert document.lines[2].description == "Co-op"
    assert document.lines[2].discount_amount == Decimal("0")


def test_hidden_lines_warning_flags_the_payment_instead_of_failing() -> None:
    document = parse_vc_payments_csv(EXPORT)
    hidden = document.payments[1]
    assert hidden.payment_number == "88002"
    assert hidden.has_hidden_lines
    assert document.lines_for("88002") == []
    assert any("88002" in warning for warning in document.warnings)


def test_payment_not_tying_to_its_lines_is_rejected_with_the_payment_row() -> None:
    text = EXPORT.replace('"$1,931.25",USD,"$1,931.25"', '"$1,932.25",USD,"$1,932.25"')
    with pytest.raises(RemittanceParseError) as caught:
        parse_vc_payments_csv(text)
    error = caught.value
    assert (error.line, error.segment, error.field) == (4, "payments", "amount in payment currency")
    assert "1931.25" in error.reason


def test_unparsable_amount_names_line_and_column() -> None:
    text = EXPORT.replace('"(52.50)"', "fifty")
    with pytest.raises(RemittanceParseError) as caught:
        parse_vc_payments_csv(text)
    assert (caught.value.line, caught.value.segment, caught.value.field) == (
        10,
        "invoices",
        "amount paid",
    )


def test_single_description_variant_and_missing_required_column() -> None:
    text = """Payment Number,Payment Date,Amount in Invoice Currency
9,2024-03-01,100.00

Payment Number,Invoice Number,Description,Amount Paid
9,INV-1,Payments,100.00
"""
    document = parse_vc_payments_csv(text)
    assert document.lines[0].description == "Payments"
    with pytest.raises(RemittanceParseError) as caught:
        parse_vc_payments_csv(text.replace(",Amount Paid", ",Paid"))
    assert (caught.value.line, caught.value.field) == (4, "amount paid")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("$1,234.50", "1234.50"),
        ("(1,234.50)", "-1234.50"),
        ("($7.00)", "-7.00"),
        ("-$7.00", "-7.00"),
        ("$-7.00", "-7.00"),
        (" 12 ", "12"),
    ],
)
def test_money_quirks(raw: str, expected: str) -> None:
    assert parse_money(raw) == Decimal(expected)


def test_money_rejects_text() -> None:
    with pytest.raises(ValueError, match="not an amount"):
        parse_money("1.2.3")
