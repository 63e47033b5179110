"""Post the reclass journals of decided dispute cases to NetSuite, each exactly once.

`finance.dispute_journal_lines` (dbt) holds, per decided shortage or price claim, the journal
that moves it off 1205 (deductions in dispute): valid to its contra account, lost / expired /
the unrecovered part of a partly won case to the write-off account. Each journal is upserted by
its external id (`AMZ-DJE-<case_id>`) through the submission ledger, with the bodies and the
one posting function the settlement journals use: a re-run posts nothing, and a case whose
status moved (valid, then lost after a late review) changes its body, which upserts the same
NetSuite record instead of adding a second one.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import duckdb

from vendor_pipelines.exceptions.store import Detection
from vendor_pipelines.finance.netsuite_bodies import (
    UnpostableSettlementError,
    journal_entry,
    to_payload,
)
from vendor_pipelines.finance.posting import JOURNAL_CHANNEL, PostingReport, post_once
from vendor_pipelines.netsuite import NetSuiteClient
from vendor_pipelines.query_rows import rows

JOURNAL_LINES_SQL = """
select journal_external_id, case_id, status, posting_date, journal_line_no, gl_account_number,
       gl_account_name, debit, credit, memo, customer_id, currency
from finance.dispute_journal_lines
order by journal_external_id, journal_line_no
"""


def dispute_journals(conn: duckdb.DuckDBPyConnection) -> dict[str, list[dict[str, Any]]]:
    """The journal lines of every decided case, by journal external id (one read)."""
    journals: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows(conn, JOURNAL_LINES_SQL, []):
        journals[row["journal_external_id"]].append(row)
    return dict(journals)


def journal_body(external_id: str, lines: list[dict[str, Any]]) -> dict[str, Any]:
    """The journalEntry of one case, dated its posting date; refuses unmapped / unbalanced."""
    case_id, status = lines[0]["case_id"], lines[0]["status"]
    return to_payload(
        journal_entry(
            external_id,
            min(line["posting_date"] for line in lines),
            f"Amazon dispute case {case_id}: {status.replace('_', ' ')}",
            lines,
            subject=f"dispute case {case_id}",
        )
    )


def post_dispute_journals(
    conn: duckdb.DuckDBPyConnection, netsuite: NetSuiteClient
) -> PostingReport:
    """Upsert each case's reclass journal unless NetSuite holds the same body already."""
    report = PostingReport()
    for external_id, lines in dispute_journals(conn).items():
        case_id = lines[0]["case_id"]
        try:
            body = journal_body(external_id, lines)
        except UnpostableSettlementError as exc:
            report.unpostable.append(
                Detection("posting_failed", f"dispute|{case_id}", str(exc), reference=case_id)
            )
            continue
        post_once(conn, netsuite, JOURNAL_CHANNEL, "journalEntry", body, case_id, report)
    return report
