"""Strict X12 envelopes: control numbers, counts and truncation, each named by line/segment/field.

Every file here is written out segment by segment, one segment per line, so the line numbers in
the expectations can be read off the list (index + 1).
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from vendor_pipelines.remittance import RemittanceParseError, parse_820, parse_remittance

ISA = (
    "ISA*00*          *00*          *ZZ*AMAZON         *ZZ*VENDORPIPES    "
    "*240307*1200*U*00401*000000007*0*P*>"
)
# Two transaction sets in one group. Set 1: RMR05 100.00 + in-loop ADX -10.00 = RMR04 90.00 =
# BPR02; 9 segments ST..SE. Set 2: 50.00, 7 segments ST..SE.
SEGMENTS = [
    ISA,  # 1
    "GS*RA*AMAZON*VENDORPIPES*20240307*1200*7*X*004010",  # 2
    "ST*820*0001",  # 3
    "BPR*C*90.00*C*ACH*CCP*01*011000015*DA*1*2**01*021000021*DA*3*20240307",  # 4
    "TRN*1*PAY-1*1234567890",  # 5
    "N1*PE*ACME*92*ACME1",  # 6
    "ENT*1",  # 7
    "RMR*IV*INV-1**90.00*100.00",  # 8
    "REF*PO*PO1",  # 9
    "ADX*-10.00*59",  # 10
    "SE*9*0001",  # 11
    "ST*820*0002",  # 12
    "BPR*C*50.00*C*ACH*CCP*01*011000015*DA*1*2**01*021000021*DA*3*20240307",  # 13
    "TRN*1*PAY-2*1234567890",  # 14
    "N1*PE*ACME*92*ACME1",  # 15
    "ENT*1",  # 16
    "RMR*IV*INV-2**50.00*50.00",  # 17
    "SE*7*0002",  # 18
    "GE*2*7",  # 19
    "IEA*1*000000007",  # 20
]


def render(segments: list[str]) -> str:
    return "".join(f"{segment}~\n" for segment in segments)


def replaced(line: int, segment: str) -> str:
    """The good file with its `line`-th segment (1-based) replaced."""
    changed = list(SEGMENTS)
    changed[line - 1] = segment
    return render(changed)


def error_of(text: str) -> RemittanceParseError:
    with pytest.raises(RemittanceParseError) as caught:
        parse_820(text)
    return caught.value


def where(error: RemittanceParseError) -> tuple[int | None, str | None, str | None]:
    return (error.line, error.segment, error.field)


def test_the_good_file_parses() -> None:
    document = parse_820(render(SEGMENTS))
    assert [p.payment_number for p in document.payments] == ["PAY-1", "PAY-2"]
    assert [(line.reference, line.amount) for line in document.lines] == [
        ("INV-1", Decimal("100.00")),  # cash before the in-loop ADX: 90.00 - (-10.00)
        ("INV-1", Decimal("-10.00")),
        ("INV-2", Decimal("50.00")),
    ]


def test_iea02_must_equal_isa13() -> None:
    error = error_of(replaced(20, "IEA*1*000000008"))
    assert where(error) == (20, "IEA", "IEA02")
    assert error.reason == "interchange control number 000000008 != ISA13 000000007"


def test_ge02_must_equal_gs06() -> None:
    error = error_of(replaced(19, "GE*2*8"))
    assert where(error) == (19, "GE", "GE02")
    assert error.reason == "group control number 8 != GS06 7"


def test_control_numbers_compare_by_value() -> None:
    # GS06/GE02 are numeric (N0): 0007 is 7.
    document = parse_820(replaced(19, "GE*2*0007"))
    assert len(document.payments) == 2


def test_se02_must_equal_st02() -> None:
    error = error_of(replaced(11, "SE*9*0002"))
    assert str(error) == (
        "line 11, segment SE, field SE02: transaction set control number 0002 != ST02 0001"
    )


def test_se01_must_count_the_segments_of_the_set() -> None:
    error = error_of(replaced(11, "SE*8*0001"))
    assert where(error) == (11, "SE", "SE01")
    assert error.reason == "segment count 8 != 9"


def test_ge01_must_count_the_sets_of_the_group() -> None:
    error = error_of(replaced(19, "GE*1*7"))
    assert where(error) == (19, "GE", "GE01")
    assert error.reason.startswith("number of transaction sets 1 != 2")


def test_iea01_must_count_the_groups() -> None:
    error = error_of(replaced(20, "IEA*2*000000007"))
    assert where(error) == (20, "IEA", "IEA01")
    assert error.reason == "number of functional groups 2 != 1 GS..GE groups in the interchange"


def test_a_file_ending_after_se_is_truncated() -> None:
    error = error_of(render(SEGMENTS[:18]))  # through SE*7*0002: no GE, no IEA
    assert where(error) == (18, "SE", None)
    assert "truncated" in error.reason
    assert "GE and IEA missing" in error.reason


def test_a_file_ending_after_ge_is_truncated() -> None:
    error = error_of(render(SEGMENTS[:19]))
    assert where(error) == (19, "GE", None)
    assert "truncated" in error.reason


def test_a_file_ending_inside_an_rmr_loop_is_truncated() -> None:
    # Cut after REF*PO of the first RMR: the ADX, SE, the second set, GE and IEA are missing.
    error = error_of(render(SEGMENTS[:9]))
    assert where(error) == (9, "REF", None)
    assert "truncated" in error.reason
    assert "transaction set 0001 opened at line 3" in error.reason


def test_truncation_wins_over_the_arithmetic_the_cut_breaks() -> None:
    # Cut before the in-loop ADX: the RMR would not tie either, but the cut is the cause.
    error = error_of(render(SEGMENTS[:8]))
    assert where(error) == (8, "RMR", None)
    assert "truncated" in error.reason


def test_a_file_cut_mid_segment_is_truncated_at_that_element() -> None:
    text = render(SEGMENTS[:16]) + "RMR*IV*INV-2**50."
    error = error_of(text)
    assert where(error) == (17, "RMR", "RMR04")
    assert "truncated" in error.reason


def test_a_cut_inside_iea_names_iea02() -> None:
    error = error_of(render(SEGMENTS[:19]) + "IEA*1*0000")
    assert where(error) == (20, "IEA", "IEA02")
    assert "truncated" in error.reason


def test_a_last_segment_without_its_terminator_is_truncated() -> None:
    text = render(SEGMENTS).rstrip("~\n")  # ends "IEA*1*000000007", no "~"
    error = error_of(text)
    assert where(error) == (20, "IEA", "IEA02")
    assert "truncated" in error.reason


def test_a_50_byte_isa_is_truncated() -> None:
    # ISA + 5 separators + ISA01..ISA06 (2 + 10 + 2 + 10 + 2 + 15) = 3 + 6 + 41 = 50 characters:
    # ISA06 is complete and the cut falls at ISA07.
    error = error_of(ISA[:50])
    assert where(error) == (1, "ISA", "ISA07")
    assert "truncated" in error.reason
    # The same through the byte entry point, which sniffs the format from the content.
    with pytest.raises(RemittanceParseError) as caught:
        parse_remittance(ISA[:50].encode())
    assert "truncated" in caught.value.reason


def test_an_isa_cut_inside_an_element_names_it() -> None:
    error = error_of(ISA[:40])  # 5 of the 15 characters of ISA06
    assert where(error) == (1, "ISA", "ISA06")
    assert "truncated" in error.reason


def test_an_isa_without_its_terminator_is_truncated() -> None:
    error = error_of(ISA)  # all 105 characters, no segment terminator
    assert where(error) == (1, "ISA", "ISA16")
    assert "truncated" in error.reason


def test_an_isa_with_its_padding_stripped_is_malformed_not_truncated() -> None:
    short = ISA.replace("*          *", "**", 1)  # ISA02 emptied: fixed width broken
    error = error_of(render([short, *SEGMENTS[1:]]))
    assert where(error) == (1, "ISA", "ISA02")
    assert "truncated" not in error.reason


def test_nesting_errors_name_the_segment() -> None:
    # A second ST before SE closed the first.
    error = error_of(replaced(11, "ST*820*0009"))
    assert where(error) == (11, "ST", None)
    # A segment after IEA.
    error = error_of(render([*SEGMENTS, "GS*RA*AMAZON*VENDORPIPES*20240307*1200*8*X*004010"]))
    assert where(error) == (21, "GS", None)
    # The same ST02 twice in one group.
    error = error_of(replaced(12, "ST*820*0001").replace("SE*7*0002", "SE*7*0001"))
    assert where(error) == (12, "ST", "ST02")
