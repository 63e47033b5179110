"""What assets report, in one shape: a table as markdown, a channel's submissions by status.

Each asset still says what it did in its own words (its counts, its log line); these only keep
the two tables every asset shows from being written out in every one of them.
"""

from collections.abc import Sequence

import dagster as dg
import duckdb

from vendor_pipelines.submissions.amazon_transactions import SubmissionReport


def table(
    conn: duckdb.DuckDBPyConnection, sql: str, params: Sequence[object] = ()
) -> dg.MetadataValue:
    """The rows of `sql` as a markdown table ("none" when there are none)."""
    frame = conn.execute(sql, list(params)).df()
    return dg.MetadataValue.md(frame.to_markdown(index=False) if len(frame) else "none")


def submission_result(
    conn: duckdb.DuckDBPyConnection,
    channels: Sequence[str],
    report: SubmissionReport,
    **metadata: object,
) -> dg.MaterializeResult:
    """An asset sending documents to Amazon: every submission of its channels by status (the
    row count is all of them), and what this run sent and learnt."""
    by_status = conn.execute(
        """select channel, status, count(*) as documents from ops.submissions
           where channel in (select unnest(?::varchar[])) group by all order by all""",
        [list(channels)],
    ).df()
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": int(by_status["documents"].sum()) if len(by_status) else 0,
            "sent_this_run": report.sent,
            "accepted_this_run": report.succeeded,
            "rejected_this_run": report.failed,
            "still_processing": report.processing,
            "by_status": dg.MetadataValue.md(
                by_status.to_markdown(index=False) if len(by_status) else "none"
            ),
            **metadata,
        }
    )
