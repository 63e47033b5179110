"""Vendor Central export shapes and encodings: one payment, saved every way Excel and VC save it.

Payment 70001 on 03/14/2024 has five lines; Amount Paid 2,500.00 - 1,234.50 + 234.50 - 56.25 +
100.00 = 1,543.75. Whatever the shape, the lines must come out the same.
"""

from __future__ import annotations

import codecs
from datetime import date
from decimal import Decimal

import pytest

from vendor_pipelines.remittance import (
    RemittanceParseError,
    parse_remittance,
    parse_vc_payments_csv,
)

EXPECTED = [  # (reference, amount, po, original_invoice, links_to)
    ("INV-3001", Decimal("2500.00"), "4XK2P9", None, None),
    ("INV-3001SC", Decimal("-1234.50"), "4XK2P9", "INV-3001", None),
    ("INV-3001SCR", Decimal("234.50"), "4XK2P9", "INV-3001", "INV-3001SC"),
    ("6268-1234567890", Decimal("-56.25"), None, "INV-3002", None),
    (
        "240314_PROVISION_FOR_RECEIVABLESR",
        Decimal("100.00"),
        None,
        None,
        "240314_PROVISION_FOR_RECEIVABLES",
    ),
]
TOTAL = Decimal("1543.75")

PAYMENT_SECTION = [
    "Payment Number,Payment Date,Invoice Currency,Amount in Invoice Currency,Payment Currency,"
    "Amount in Payment Currency,Payment Type,Payment Status",
    '70001,03/14/2024,USD,"$1,543.75",USD,"$1,543.75",ACH,Paid',
]
LINE_SECTION = [
    "Payment Number,Invoice Number,Invoice Date,Transaction type,Transaction Description,"
    "Reference Details,Original Invoice Number,Invoice Amount,Invoice Currency,Amount Paid",
    '70001,INV-3001,03/01/2024,Invoice,Payments,4XK2P9,,"$2,500.00",USD,"$2,500.00"',
    '70001,INV-3001SC,,Invoice,"Shortage claim, 12 units",4XK2P9,,"(1,234.50)",USD,"(1,234.50)"',
    "70001,INV-3001SCR,,Invoice,Shortage claim reversal,4XK2P9,,234.50,USD,234.50",
    '70001,6268-1234567890,,Others,"Co-op, Q1 2024",,INV_3002,($56.25),USD,($56.25)',
    "70001,240314_PROVISION_FOR_RECEIVABLESR,,Provision reversal,Provision for receivable,,,"
    "100.00,USD,100.00",
]
STACKED = ["Remittance payments", "", *PAYMENT_SECTION, "", *LINE_SECTION]

# Excel's "Unicode text" save of the same sheet: TAB-delimited; cells keep their commas, and
# Excel quotes some of them (both spellings must read the same).
TAB_STACKED = [
    "Remittance payments",
    "",
    "Payment Number\tPayment Date\tInvoice Currency\tAmount in Invoice Currency\t"
    "Payment Currency\tAmount in Payment Currency\tPayment Type\tPayment Status",
    "70001\t03/14/2024\tUSD\t$1,543.75\tUSD\t$1,543.75\tACH\tPaid",
    "",
    "Payment Number\tInvoice Number\tInvoice Date\tTransaction type\tTransaction Description\t"
    "Reference Details\tOriginal Invoice Number\tInvoice Amount\tInvoice Currency\tAmount Paid",
    '70001\tINV-3001\t03/01/2024\tInvoice\tPayments\t4XK2P9\t\t"$2,500.00"\tUSD\t"$2,500.00"',
    '70001\tINV-3001SC\t\tInvoice\t"Shortage claim, 12 units"\t4XK2P9\t\t(1,234.50)\tUSD\t'
    "(1,234.50)",
    "70001\tINV-3001SCR\t\tInvoice\tShortage claim reversal\t4XK2P9\t\t234.50\tUSD\t234.50",
    "70001\t6268-1234567890\t\tOthers\tCo-op, Q1 2024\t\tINV_3002\t($56.25)\tUSD\t($56.25)",
    "70001\t240314_PROVISION_FOR_RECEIVABLESR\t\tProvision reversal\tProvision for receivable"
    "\t\t\t100.00\tUSD\t100.00",
]


def lf(rows: list[str]) -> str:
    return "".join(f"{row}\n" for row in rows)


def crlf(rows: list[str]) -> str:
    return "".join(f"{row}\r\n" for row in rows)


SHAPES: dict[str, bytes] = {
    "stacked": lf(STACKED).encode(),
    "line section only": lf(LINE_SECTION).encode(),
    "utf-8 with bom": codecs.BOM_UTF8 + lf(STACKED).encode(),
    "crlf": crlf(STACKED).encode(),
    "utf-16-le tab": codecs.BOM_UTF16_LE + crlf(TAB_STACKED).encode("utf-16-le"),
    "utf-16-be tab": codecs.BOM_UTF16_BE + crlf(TAB_STACKED).encode("utf-16-be"),
    "utf-16-le tab, line section only": codecs.BOM_UTF16_LE
    + crlf(TAB_STACKED[5:]).encode("utf-16-le"),
}


def shape(line: object) -> tuple[object, ...]:
    return (
        line.reference,  # type: ignore[attr-defined]
        line.amount,  # type: ignore[attr-defined]
        line.po_number,  # type: ignore[attr-defined]
        line.original_invoice,  # type: ignore[attr-defined]
        line.links_to,  # type: ignore[attr-defined]
    )


@pytest.mark.parametrize("name", list(SHAPES))
def test_every_shape_gives_the_same_lines(name: str) -> None:
    document = parse_remittance(SHAPES[name])
    assert document.source_format == "vc_payments_csv"
    assert [shape(line) for line in document.lines] == EXPECTED
    (payment,) = document.payments
    assert (payment.payment_number, payment.amount, payment.currency) == ("70001", TOTAL, "USD")
    stated = "line section only" not in name
    assert payment.payment_date == (date(2024, 3, 14) if stated else None)
    assert sum(line.amount for line in document.lines) == payment.amount


def test_quoted_commas_stay_in_their_cell() -> None:
    document = parse_remittance(SHAPES["crlf"])
    assert [line.description for line in document.lines][1:4] == [
        "Shortage claim, 12 units",
        "Shortage claim reversal",
        "Co-op, Q1 2024",
    ]


def test_line_numbers_count_crlf_lines() -> None:
    rows = list(STACKED)  # title 1, blank 2, payments 3-4, blank 5, line header 6, lines 7-11
    assert rows[7].startswith("70001,INV-3001SC,")
    rows[7] = rows[7].replace('"(1,234.50)",USD,"(1,234.50)"', '"(1,234.50)",USD,twelve')
    with pytest.raises(RemittanceParseError) as caught:
        parse_remittance(crlf(rows).encode())
    assert (caught.value.line, caught.value.segment, caught.value.field) == (
        8,
        "invoices",
        "amount paid",
    )


def test_line_section_only_makes_one_payment_per_payment_number() -> None:
    text = """Payment Number,Invoice Number,Amount Paid,Invoice Currency
81,INV-1,100.00,EUR
82,INV-2,"1,000.00",EUR
81,INV-1SC,(12.50),EUR
82,INV-3,0.05,
"""
    document = parse_vc_payments_csv(text)
    got = [(p.payment_number, p.amount, p.currency, p.payment_date) for p in document.payments]
    assert got == [
        ("81", Decimal("87.50"), "EUR", None),  # 100.00 - 12.50
        ("82", Decimal("1000.05"), "EUR", None),  # 1,000.00 + 0.05
    ]
    assert [p.source_line for p in document.payments] == [2, 3]


def test_line_section_only_without_currency_column_is_usd() -> None:
    document = parse_vc_payments_csv("Payment Number,Invoice Number,Amount Paid\n9,INV-9,5.00\n")
    assert [(p.amount, p.currency) for p in document.payments] == [(Decimal("5.00"), "USD")]


def test_a_payment_mixing_currencies_is_rejected() -> None:
    text = """Payment Number,Invoice Number,Amount Paid,Invoice Currency
81,INV-1,100.00,EUR
81,INV-2,5.00,GBP
"""
    with pytest.raises(RemittanceParseError) as caught:
        parse_vc_payments_csv(text)
    assert (caught.value.line, caught.value.field) == (3, "invoice currency")


def test_line_section_only_with_a_hidden_payment_warns() -> None:
    text = (
        'Payment Number,"Lines of these payments are hidden because ordering codes are not set'
        ' up in your account: 90"\n'
        "\n"
        "Payment Number,Invoice Number,Amount Paid\n"
        "91,INV-1,5.00\n"
    )
    document = parse_vc_payments_csv(text)
    assert [p.payment_number for p in document.payments] == ["91"]
    assert any("payment 90" in warning for warning in document.warnings)


def test_delimiter_comes_from_the_header_not_the_name() -> None:
    tab_text = "Payment Number\tInvoice Number\tAmount Paid\n5\tINV-5\t1,234.50\n"
    (line,) = parse_vc_payments_csv(tab_text).lines
    assert (line.reference, line.amount) == ("INV-5", Decimal("1234.50"))


def test_bytes_in_no_supported_encoding_say_what_was_tried() -> None:
    latin_1 = "Payment Number,Invoice Number,Amount Paid\n5,INV-5,10.00,Caf\xe9\n".encode("latin-1")
    with pytest.raises(RemittanceParseError) as caught:
        parse_remittance(latin_1)
    assert "UTF-8" in caught.value.reason and "UTF-16" in caught.value.reason
    assert caught.value.line == 2
    # UTF-16 without its byte-order mark is not guessed.
    bomless = "Payment Number,Invoice Number,Amount Paid\n".encode("utf-16-le")
    with pytest.raises(RemittanceParseError) as caught:
        parse_remittance(bomless)
    assert "UTF-16" in caught.value.reason
    # Half a UTF-16 code unit.
    with pytest.raises(RemittanceParseError) as caught:
        parse_remittance(codecs.BOM_UTF16_LE + b"P\x00a")
    assert "UTF-16 LE" in caught.value.reason
