"""Recording a submission: only a disputable case, once; the reasons of a refusal."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from dispute_warehouse import (
    CHARGEBACK_CASE,
    PRICE_CLAIM,
    SHORTAGE,
    SUBMITTED,
    VALID,
    DisputeWarehouse,
    build_warehouse,
)

from vendor_pipelines.disputes.submissions import DisputeSubmissionError, cases, record_submitted

WHEN = datetime(2026, 6, 30, 15, 45, tzinfo=UTC)


@pytest.fixture
def warehouse(tmp_path: Path) -> DisputeWarehouse:
    return build_warehouse(tmp_path / "warehouse.duckdb")


def test_a_disputable_case_is_recorded_with_its_claim(warehouse: DisputeWarehouse) -> None:
    with warehouse.connect() as conn:
        submission = record_submitted(
            conn, SHORTAGE["case_id"], "dana", WHEN, packet_file="SC.pdf", note="VC case 7781"
        )
        stored = conn.execute("select * from raw.dispute_submissions").fetchall()
    assert submission.claim_reference == SHORTAGE["claim_reference"]
    assert stored == [
        (SHORTAGE["case_id"], "INV-1001SC", "SHORTAGE", WHEN, "dana", "SC.pdf", "VC case 7781")
    ]


def test_a_second_submission_of_the_same_case_is_refused(warehouse: DisputeWarehouse) -> None:
    with warehouse.connect() as conn:
        record_submitted(conn, PRICE_CLAIM["case_id"], "dana", WHEN)
        # The model still says disputable until the next build; the submission table does not.
        with pytest.raises(DisputeSubmissionError, match="submitted already on 2026-06-30 15:45"):
            record_submitted(conn, PRICE_CLAIM["case_id"], "lee")
        assert conn.execute("select submitted_by from raw.dispute_submissions").fetchall() == [
            ("dana",)
        ]


@pytest.mark.parametrize(
    ("case_id", "status", "reason"),
    [
        (VALID["case_id"], "valid", r"judged valid \(Carton 000012345600000031 weighed 9"),
        (SUBMITTED["case_id"], "submitted", "submitted already on 2026-06-02 09:30 UTC by dana"),
        (SHORTAGE["case_id"], "expired", "expired on 2026-07-01 without a dispute"),
        (SHORTAGE["case_id"], "won", r"won \(Amazon paid back 0.00 of 25.00\)"),
        (CHARGEBACK_CASE["case_id"], "open", "not judged yet"),
        ("SC-NOPE", None, "no dispute case SC-NOPE"),
    ],
)
def test_a_case_that_is_not_disputable_is_refused_with_the_reason(
    warehouse: DisputeWarehouse, case_id: str, status: str | None, reason: str
) -> None:
    if status:
        warehouse.set_status(case_id, status)
    with warehouse.connect() as conn:
        with pytest.raises(DisputeSubmissionError, match=reason):
            record_submitted(conn, case_id, "dana", WHEN)
        assert conn.execute("select count(*) from raw.dispute_submissions").fetchone() == (0,)


def test_who_submitted_is_required(warehouse: DisputeWarehouse) -> None:
    with warehouse.connect() as conn, pytest.raises(DisputeSubmissionError, match="who"):
        record_submitted(conn, SHORTAGE["case_id"], "  ")


def test_cases_by_status_closest_deadline_first(warehouse: DisputeWarehouse) -> None:
    with warehouse.connect() as conn:
        disputable = cases(conn, "disputable")
        every = cases(conn)
        with pytest.raises(DisputeSubmissionError, match="unknown case status 'pending'"):
            cases(conn, "pending")
    assert [c["case_id"] for c in disputable] == [
        SHORTAGE["case_id"],  # deadline 2026-07-01
        PRICE_CLAIM["case_id"],  # 2026-07-08
        CHARGEBACK_CASE["case_id"],  # 2026-07-15
    ]
    assert len(every) == 5
