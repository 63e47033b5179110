"""Recording that finance submitted a dispute case in Vendor Central (there is no dispute API).

A person uploads the case's evidence packet in Vendor Central, then records it here (the CLI's
`disputes submitted`, or the `record_dispute_submission` job in the UI): the row in
`raw.dispute_submissions` starts the case's decision clock in `finance.dispute_cases`. Only a
case the model judged `disputable` can be submitted; anything else is refused with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import duckdb

from vendor_pipelines.query_rows import rows

STATUSES = (
    "open",
    "disputable",
    "valid",
    "submitted",
    "won",
    "partly_won",
    "lost",
    "expired",
)

# What a case in each status means for a submission: why it cannot be submitted (again).
_REFUSALS = {
    "open": "is not judged yet ({reason}); complete the records before disputing it",
    "valid": "is judged valid ({reason}); accept it, its reclass journal is posted",
    "won": "is decided: won (Amazon paid back {recovered} of {claimed})",
    "partly_won": "is decided: partly won (Amazon paid back {recovered} of {claimed})",
    "lost": "is decided: lost (nothing paid back since its submission)",
    "expired": "expired on {deadline} without a dispute",
}


class DisputeSubmissionError(ValueError):
    """A case that cannot be recorded as submitted, and why, in one line."""


@dataclass(frozen=True)
class Submission:
    """A row of `raw.dispute_submissions`."""

    case_id: str
    claim_reference: str
    case_class: str
    submitted_at: datetime
    submitted_by: str
    packet_file: str | None
    note: str | None


def cases(conn: duckdb.DuckDBPyConnection, status: str | None = None) -> list[dict[str, Any]]:
    """The dispute cases (of one status), the closest deadline first."""
    if status is not None and status not in STATUSES:
        raise DisputeSubmissionError(
            f"unknown case status {status!r}; one of: {', '.join(STATUSES)}"
        )
    return rows(
        conn,
        """
        select case_id, case_class, status, claim_reference, invoice_number, po_number, asin,
               claimed_units, claimed_amount, recovered_amount, open_amount, currency,
               dispute_deadline, days_left, judgement_reason
        from finance.dispute_cases
        where ?::varchar is null or status = ?::varchar
        order by dispute_deadline nulls last, case_id
        """,
        [status, status],
    )


def _refusal(case: dict[str, Any], previous: dict[str, Any] | None) -> str | None:
    """Why `case` cannot be recorded as submitted, or None when it can."""
    if previous is not None or case["status"] == "submitted":
        # The model may not have seen a submission recorded since its last build.
        when, who = (previous or case)["submitted_at"], (previous or case)["submitted_by"]
        on = f" on {when.astimezone(UTC):%Y-%m-%d %H:%M} UTC" if when else ""
        return f"was submitted already{on} by {who or 'someone'}"
    if case["status"] == "disputable":
        return None
    template = _REFUSALS.get(case["status"], "has status {status}, not disputable")
    return template.format(
        reason=case["judgement_reason"] or "no reason given",
        recovered=case["recovered_amount"],
        claimed=case["claimed_amount"],
        deadline=case["dispute_deadline"],
        status=case["status"],
    )


def record_submitted(
    conn: duckdb.DuckDBPyConnection,
    case_id: str,
    submitted_by: str,
    submitted_at: datetime | None = None,
    packet_file: str | None = None,
    note: str | None = None,
) -> Submission:
    """Record that `case_id` was disputed in Vendor Central by `submitted_by` (now, unless
    `submitted_at` says when); refuses a case that is not `disputable` or was submitted."""
    if not submitted_by.strip():
        raise DisputeSubmissionError("say who submitted the case (submitted_by)")
    found = rows(
        conn,
        """select case_id, claim_reference, case_class, status, judgement_reason,
                  claimed_amount, recovered_amount, dispute_deadline, submitted_at, submitted_by
           from finance.dispute_cases where case_id = ?""",
        [case_id],
    )
    if not found:
        raise DisputeSubmissionError(f"no dispute case {case_id} in finance.dispute_cases")
    case = found[0]
    previous = rows(
        conn,
        "select submitted_at, submitted_by from raw.dispute_submissions where case_id = ?",
        [case_id],
    )
    refusal = _refusal(case, previous[0] if previous else None)
    if refusal:
        raise DisputeSubmissionError(f"case {case_id} {refusal}")
    when = submitted_at or datetime.now(UTC)
    if when.tzinfo is None:
        raise DisputeSubmissionError("submitted_at needs a timezone")
    submission = Submission(
        case_id,
        case["claim_reference"],
        case["case_class"],
        when,
        submitted_by.strip(),
        packet_file,
        note,
    )
    # An upsert keyed by the case, so recording the same submission twice leaves one row.
    conn.execute(
        """insert into raw.dispute_submissions
               (case_id, claim_reference, case_class, submitted_at, submitted_by, packet_file,
                note)
           values (?, ?, ?, ?, ?, ?, ?)
           on conflict (case_id) do update set
               claim_reference = excluded.claim_reference, case_class = excluded.case_class,
               submitted_at = excluded.submitted_at, submitted_by = excluded.submitted_by,
               packet_file = excluded.packet_file, note = excluded.note""",
        [
            submission.case_id,
            submission.claim_reference,
            submission.case_class,
            submission.submitted_at,
            submission.submitted_by,
            submission.packet_file,
            submission.note,
        ],
    )
    return submission
