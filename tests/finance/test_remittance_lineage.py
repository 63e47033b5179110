"""Line lineage (original invoice, the line it follows) and per-line vendor codes (ENT04)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from vendor_pipelines.remittance import (
    Lineage,
    base_invoice_key,
    line_lineage,
    parse_820,
    parse_vc_payments_csv,
)

ISA = (
    "ISA*00*          *00*          *ZZ*AMAZON         *ZZ*VENDORPIPES    "
    "*240307*1200*U*00401*000000001*0*P*>"
)


def interchange(body: list[str]) -> str:
    """One transaction set around `body` (BPR .. last detail segment), envelope filled in."""
    transaction = ["ST*820*0001", *body]
    segments = [
        ISA,
        "GS*RA*AMAZON*VENDORPIPES*20240307*1200*1*X*004010",
        *transaction,
        f"SE*{len(transaction) + 1}*0001",
        "GE*1*1",
        "IEA*1*000000001",
    ]
    return "".join(f"{segment}~\n" for segment in segments)


def bpr(amount: str) -> str:
    return f"BPR*C*{amount}*C*ACH*CCP*01*011000015*DA*1*2**01*021000021*DA*3*20240307"


# ---------------------------------------------------------------------------- id decoding


@pytest.mark.parametrize(
    ("reference", "original_invoice", "links_to"),
    [
        ("INV1SC", "INV1", None),  # the first claim follows nothing
        ("INV1SCR", "INV1", "INV1SC"),  # the reversal of that claim
        ("INV1SCRSC", "INV1", "INV1SCR"),  # a re-claim after the reversal
        ("INV1SCRSCR", "INV1", "INV1SCRSC"),
        ("INV_1SCR", "INV-1", "INV_1SC"),  # base key normalised, links_to as written
        ("inv-7scr", "INV-7", "inv-7sc"),
        ("INV-ABSC", None, None),  # base must end in a digit: not a chain
        ("240301_PROVISION_FOR_RECEIVABLES", None, None),
        ("240301_PROVISION_FOR_RECEIVABLESR", None, "240301_PROVISION_FOR_RECEIVABLES"),
        ("240301_provision_for_receivablesr", None, "240301_provision_for_receivables"),
        ("240301_PROVISION_FOR_AGED_RECEIVABLE", None, None),
        ("240301_PROVISION_FOR_AGED_RECEIVABLE-R", None, "240301_PROVISION_FOR_AGED_RECEIVABLE"),
        ("12345678VCBSINV", None, None),  # chargeback
        ("6268-1234567890", None, None),  # agreement invoice
        ("IPAPUS1234567", None, None),  # price protection
        ("8177930HPA", None, None),  # ads
        ("INV-1001", None, None),  # plain invoice payment: the warehouse fills it
    ],
)
def test_line_ids_decode_structurally(
    reference: str, original_invoice: str | None, links_to: str | None
) -> None:
    assert line_lineage(reference) == Lineage(original_invoice, links_to)


def test_original_invoice_column_precedence() -> None:
    # The column fills in for ids that say nothing (here an agreement invoice)...
    assert line_lineage("6268-1234567890", original_invoice_number="INV_20") == Lineage(
        "INV-20", None
    )
    # ... and is itself read as a base key.
    assert line_lineage("6268-1", original_invoice_number="INV-22SC").original_invoice == "INV-22"
    # A shortage chain names its invoice in the id: the id wins over the column.
    assert line_lineage("INV-21SCR", original_invoice_number="INV-99") == Lineage(
        "INV-21", "INV-21SC"
    )
    # A provision has no invoice, whatever the column says.
    assert line_lineage(
        "240301_PROVISION_FOR_RECEIVABLESR",
        original_invoice_number="240301_PROVISION_FOR_RECEIVABLES",
    ) == Lineage(None, "240301_PROVISION_FOR_RECEIVABLES")
    # An in-loop ADX belongs to its RMR's invoice.
    assert line_lineage("CB777", parent_reference="inv_14") == Lineage("INV-14", None)


def test_base_invoice_key_strips_the_whole_chain() -> None:
    assert base_invoice_key(" inv_1001scrsc ") == "INV-1001"


# ---------------------------------------------------------------------------- 820 lineage


def test_820_lines_carry_their_lineage() -> None:
    # RMR04 sum: 1000 - 40 + 40 - 15 + 200 + 290 + 95 - 500 + 320 + 25 - 36.60 - 150 - 42.10
    # - 87.65 = 1098.65; with the ENT-level ADX -210.00, BPR02 = 888.65.
    text = interchange(
        [
            bpr("888.65"),
            "TRN*1*PAY-50*1234567890",
            "N1*PE*ACME*92*ACME1",
            "ENT*1",
            "ADX*-210.00*ZZ*CM*CB12345",
            "RMR*IV*INV-10**1000.00*1000.00",
            "RMR*IV*INV-10SC**-40.00*-40.00",
            "RMR*IV*INV-10SCR**40.00*40.00",
            "RMR*IV*INV-10SCRSC**-15.00*-15.00",
            "RMR*IV*INV_11**200.00*200.00",
            "RMR*IV*INV-12**290.00*300.00",  # 300.00 + ADX -10.00 = 290.00
            "ADX*-10.00*59",
            "RMR*IV*INV-14**95.00*100.00",  # 100.00 + ADX -5.00 = 95.00
            "ADX*-5.00*ZZ*CM*CB777",
            "RMR*IV*240301_PROVISION_FOR_RECEIVABLES**-500.00*-500.00",
            "RMR*IV*240301_PROVISION_FOR_RECEIVABLESR**320.00*320.00",
            "RMR*IV*240301_PROVISION_FOR_AGED_RECEIVABLE-R**25.00*25.00",
            "RMR*IV*12345678VCBSINV**-36.60*-36.60",
            "RMR*IV*6268-1234567890**-150.00*-150.00",
            "RMR*IV*IPAPUS1234567**-42.10*-42.10",
            "RMR*IV*8177930HPA**-87.65*-87.65",
        ]
    )
    document = parse_820(text)
    got = [
        (line.record_kind, line.reference, line.original_invoice, line.links_to)
        for line in document.lines
    ]
    assert got == [
        ("ADX_ENT", "CB12345", None, None),
        ("RMR", "INV-10", None, None),
        ("RMR", "INV-10SC", "INV-10", None),
        ("RMR", "INV-10SCR", "INV-10", "INV-10SC"),
        ("RMR", "INV-10SCRSC", "INV-10", "INV-10SCR"),
        ("RMR", "INV_11", None, None),
        ("RMR", "INV-12", None, None),
        ("ADX_RMR", "INV-12", "INV-12", None),  # in-loop ADX without ADX04: parent's invoice
        ("RMR", "INV-14", None, None),
        ("ADX_RMR", "CB777", "INV-14", None),  # in-loop ADX with its own id: still the parent's
        ("RMR", "240301_PROVISION_FOR_RECEIVABLES", None, None),
        ("RMR", "240301_PROVISION_FOR_RECEIVABLESR", None, "240301_PROVISION_FOR_RECEIVABLES"),
        (
            "RMR",
            "240301_PROVISION_FOR_AGED_RECEIVABLE-R",
            None,
            "240301_PROVISION_FOR_AGED_RECEIVABLE",
        ),
        ("RMR", "12345678VCBSINV", None, None),
        ("RMR", "6268-1234567890", None, None),
        ("RMR", "IPAPUS1234567", None, None),
        ("RMR", "8177930HPA", None, None),
    ]
    assert sum(line.amount for line in document.lines) == Decimal("888.65")


# ---------------------------------------------------------------------------- vendor codes


def test_each_ent_loop_gives_its_lines_its_vendor_code() -> None:
    # RMR04: 5.00 + 100.00 + 40.00 + 1.00 = 146.00; ENT-level ADX -7.00: BPR02 = 139.00.
    text = interchange(
        [
            bpr("139.00"),
            "TRN*1*PAY-60*1234567890",
            "N1*PR*AMAZON.COM SERVICES LLC",
            "N1*PE*ACME*92*ACMEPAYEE",
            "RMR*IV*INV-0**5.00*5.00",  # before any ENT: the payee
            "ENT*1*VN*92*VEND-A",
            "ADX*-7.00*ZZ*CM*CB1",  # ENT-level, in ENT A
            "RMR*IV*INV-1**100.00*100.00",
            "ENT*2*VN*92*VEND-B",
            "RMR*IV*INV-2**40.00*50.00",
            "ADX*-10.00*59",  # in-loop, in ENT B
            "ENT*3",  # an ENT without ENT04: the payee
            "RMR*IV*INV-3**1.00*1.00",
        ]
    )
    document = parse_820(text)
    assert [(line.reference, line.vendor_code) for line in document.lines] == [
        ("INV-0", "ACMEPAYEE"),
        ("CB1", "VEND-A"),
        ("INV-1", "VEND-A"),
        ("INV-2", "VEND-B"),
        ("INV-2", "VEND-B"),
        ("INV-3", "ACMEPAYEE"),
    ]
    assert document.payments[0].payee_id == "ACMEPAYEE"


def test_without_payee_or_ent04_a_line_has_no_vendor_code() -> None:
    text = interchange(
        [bpr("10.00"), "TRN*1*PAY-61*1234567890", "ENT*1", "RMR*IV*INV-1**10.00*10.00"]
    )
    assert [line.vendor_code for line in parse_820(text).lines] == [None]


# ---------------------------------------------------------------------------- CSV


def test_csv_lineage_vendor_column_and_payee_fallback() -> None:
    text = """Payment Number,Payment Date,Amount in Invoice Currency,Vendor Code
71,03/14/2024,960.00,ACME1

Payment Number,Invoice Number,Original Invoice Number,Vendor,Amount Paid
71,INV-40,,,1000.00
71,INV-40SC,,,-40.00
71,6268-555,INV_41,VEND-B,-10.00
71,INV-42SCR,INV-99,,10.00
"""
    # 1000.00 - 40.00 - 10.00 + 10.00 = 960.00
    document = parse_vc_payments_csv(text)
    got = [
        (
            line.reference,
            line.original_invoice_number,
            line.original_invoice,
            line.links_to,
            line.vendor_code,
        )
        for line in document.lines
    ]
    assert got == [
        ("INV-40", None, None, None, "ACME1"),
        ("INV-40SC", None, "INV-40", None, "ACME1"),
        ("6268-555", "INV_41", "INV-41", None, "VEND-B"),
        ("INV-42SCR", "INV-99", "INV-42", "INV-42SC", "ACME1"),
    ]
    assert document.payments[0].payee_id == "ACME1"
    # The id won over the column on the last line, and the file says so.
    assert any("INV-99" in warning and "INV-42" in warning for warning in document.warnings)
