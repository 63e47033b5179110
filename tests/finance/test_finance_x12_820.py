"""X12 820 parsing: delimiters from ISA, per-line and payment arithmetic, ADX sign by version."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from vendor_pipelines.remittance import RemittanceParseError, parse_820

ISA = (
    "ISA*00*          *00*          *ZZ*AMAZON         *ZZ*VENDORPIPES    "
    "*240307*1200*U*00401*000000001*0*P*>~"
)


def interchange(body: list[str], version: str = "004010", isa: str = ISA) -> str:
    st = ["ST*820*0001", *body]
    segments = [isa.rstrip("~"), f"GS*RA*AMAZON*VENDORPIPES*20240307*1200*1*X*{version}", *st]
    segments += [f"SE*{len(st) + 1}*0001", "GE*1*1", "IEA*1*000000001"]
    return "~\n".join(segments) + "~\n"


def header(amount: str) -> list[str]:
    return [
        f"BPR*C*{amount}*C*ACH*CCP*01*011000015*DA*1*2**01*021000021*DA*3*20240307",
        "TRN*1*PAY-777*1234567890",
        "CUR*PR*USD",
        "N1*PR*AMAZON.COM SERVICES LLC",
        "N1*PE*ACME*92*ACME1",
        "ENT*1",
    ]


def test_rmr_with_discount_and_in_loop_adx_splits_into_invoice_and_adjustment_lines() -> None:
    # Invoice 4650.41, quick-pay 97.90, shortage ADX -143.76 netted in the RMR:
    # RMR04 = 4650.41 - 97.90 - 143.76 = 4408.75 (the identity in vendor-finance-edi.md §1.5).
    text = interchange(
        [
            *header("4408.75"),
            "RMR*IV*INV-1001**4408.75*4650.41*97.90",
            "REF*PO*4XK2P9",
            "DTM*003*20240301",
            "ADX*-143.76*59",
        ]
    )
    document = parse_820(text)
    (payment,) = document.payments
    assert payment.payment_number == "PAY-777"
    assert payment.amount == Decimal("4408.75")
    assert payment.payment_date == date(2024, 3, 7)
    assert payment.payee_id == "ACME1"
    invoice, shortage = document.lines
    assert invoice.record_kind == "RMR"
    # 4650.41 - 97.90 = 4552.51: the cash before the in-loop adjustment
    assert invoice.amount == Decimal("4552.51")
    assert invoice.invoice_amount == Decimal("4650.41")
    assert invoice.discount_amount == Decimal("97.90")
    assert invoice.po_number == "4XK2P9"
    assert invoice.invoice_date == date(2024, 3, 1)
    assert shortage.record_kind == "ADX_RMR"
    assert shortage.reference == "INV-1001"
    assert shortage.amount == Decimal("-143.76")
    assert shortage.adjustment_reason == "59"
    assert shortage.parent_line_no == invoice.line_no
    assert sum(line.amount for line in document.lines) == payment.amount


def test_ent_level_adx_is_added_to_the_payment_total() -> None:
    # BPR02 = RMR04s (1000.00 + 250.00) + ENT-level ADX (-210.00 + 15.50) = 1055.50
    text = interchange(
        [
            *header("1055.50"),
            "ADX*-210.00*ZZ*CM*CB12345",
            "ADX*15.50*53*IV*INV-0999",
            "RMR*IV*INV-1001**1000.00*1000.00",
            "RMR*IV*INV-1002**250.00*250.00",
        ]
    )
    document = parse_820(text)
    kinds = [(line.record_kind, line.reference, line.amount) for line in document.lines]
    assert kinds == [
        ("ADX_ENT", "CB12345", Decimal("-210.00")),
        ("ADX_ENT", "INV-0999", Decimal("15.50")),
        ("RMR", "INV-1001", Decimal("1000.00")),
        ("RMR", "INV-1002", Decimal("250.00")),
    ]


def test_payment_that_ignores_the_ent_level_adx_is_rejected_with_its_place() -> None:
    # Safeway-style drift: the header forgot the -210.00 memo, 1265.50 != 1055.50.
    text = interchange(
        [
            *header("1265.50"),
            "ADX*-210.00*ZZ*CM*CB12345",
            "ADX*15.50*53*IV*INV-0999",
            "RMR*IV*INV-1001**1000.00*1000.00",
            "RMR*IV*INV-1002**250.00*250.00",
        ]
    )
    with pytest.raises(RemittanceParseError) as caught:
        parse_820(text)
    error = caught.value
    # lines: ISA 1, GS 2, ST 3, BPR 4
    assert (error.line, error.segment, error.field) == (4, "BPR", "BPR02")
    assert "1055.50" in error.reason


def test_rmr_arithmetic_break_names_the_rmr_line() -> None:
    text = interchange([*header("99.00"), "RMR*IV*INV-1001**99.00*100.00*2.00"])
    with pytest.raises(RemittanceParseError) as caught:
        parse_820(text)
    # 100.00 - 2.00 = 98.00 != 99.00; the RMR is the 10th line of the file
    assert (caught.value.line, caught.value.segment, caught.value.field) == (10, "RMR", "RMR04")


def test_adx_sign_follows_the_version_in_gs08() -> None:
    # In 003030 a positive ADX reduces the payment: +143.76 means a deduction of 143.76.
    body = [*header("856.24"), "RMR*IV*INV-1001**856.24*1000.00", "ADX*143.76*59"]
    old = parse_820(interchange(body, version="003030"))
    assert old.lines[1].amount == Decimal("-143.76")
    assert old.lines[0].amount == Decimal("1000.00")
    # The same segment under 4010 would *increase* the payment, so the file no longer ties.
    with pytest.raises(RemittanceParseError) as caught:
        parse_820(interchange(body, version="004010"))
    assert caught.value.field == "RMR04"


def test_delimiters_come_from_isa() -> None:
    isa = ISA.replace("*", "|").replace("|>~", "|^!")
    text = interchange([*header("10.00"), "RMR*IV*INV-1**10.00*10.00"], isa=isa)
    body = text.split("\n", 1)[1].replace("*", "|").replace("~\n", "!")
    document = parse_820(isa + body)
    assert document.payments[0].amount == Decimal("10.00")
    assert document.lines[0].reference == "INV-1"


def test_bad_amount_and_segment_count_are_precise() -> None:
    with pytest.raises(RemittanceParseError) as caught:
        parse_820(interchange([*header("10.00"), "RMR*IV*INV-1**1O.00*10.00"]))
    assert (caught.value.segment, caught.value.field) == ("RMR", "RMR04")
    broken = interchange([*header("10.00"), "RMR*IV*INV-1**10.00*10.00"]).replace("SE*9*", "SE*8*")
    with pytest.raises(RemittanceParseError) as caught:
        parse_820(broken)
    assert (caught.value.segment, caught.value.field) == ("SE", "SE01")
