"""Reclass journals of decided dispute cases, posted to NetSuite once each."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from vendor_pipelines.defs.constants import DUCKDB_POOL, FINANCE_OWNERS
from vendor_pipelines.defs.disputes.credit_notes import DISPUTE_CREDIT_NOTES
from vendor_pipelines.defs.finance.partitions import settlement_days
from vendor_pipelines.defs.metadata import table
from vendor_pipelines.defs.resources import NetSuiteResource
from vendor_pipelines.disputes.journals import post_dispute_journals
from vendor_pipelines.exceptions.store import record_detections
from vendor_pipelines.finance.posting import JOURNAL_CHANNEL

DISPUTE_JOURNALS = dg.AssetKey(["finance", "dispute_journals"])
DISPUTE_JOURNAL_LINES = dg.AssetKey(["finance", "dispute_journal_lines"])

# Per case status: the journals the model asks for, their amount and how many NetSuite holds.
BY_STATUS = f"""
with journals as (
    select journal_external_id, any_value(status) as status, sum(debit) as amount
    from finance.dispute_journal_lines group by all
)
select j.status, count(*) as journals, sum(j.amount) as amount,
       count(*) filter (where s.status = 'succeeded') as in_netsuite
from journals j
left join ops.submissions s
    on s.channel = '{JOURNAL_CHANNEL}' and s.submission_key = j.journal_external_id
group by all order by all
"""


# Partitioned by settlement day like the settlement postings: the run that rebuilds
# finance.dispute_journal_lines posts what changed (a case decided, a status moved) once.
# After the credit notes: a claim whose memo NetSuite now holds moves onto the receivable.
@dg.asset(
    key=DISPUTE_JOURNALS,
    deps=[DISPUTE_JOURNAL_LINES, DISPUTE_CREDIT_NOTES],
    partitions_def=settlement_days,
    backfill_policy=dg.BackfillPolicy.single_run(),
    group_name="finance",
    owners=FINANCE_OWNERS,
    kinds={"python", "netsuite"},
    pool=DUCKDB_POOL,
    tags={"domain": "disputes"},
    description="Journal entry per decided shortage or price claim case (valid, lost), once.",
)
def dispute_journals(
    context: dg.AssetExecutionContext, duckdb: DuckDBResource, netsuite: NetSuiteResource
) -> dg.MaterializeResult:
    with duckdb.get_connection() as conn, netsuite.client() as client:
        report = post_dispute_journals(conn, client)
        # Counted with the settlement postings' `posting_failed` (its check is theirs).
        record_detections(
            conn,
            DISPUTE_JOURNALS.to_user_string(),
            detections=report.unpostable + report.failed,
            types=("posting_failed",),
        )
        by_status = table(conn, BY_STATUS)
    context.log.info(
        f"dispute journals: {report.posted} posted, {report.unchanged} already posted, "
        f"{len(report.unpostable)} unpostable, {len(report.failed)} failed"
    )
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": report.posted + report.unchanged,
            "posted_this_run": report.posted,
            "already_posted": report.unchanged,
            "unpostable_journals": len(report.unpostable),
            "failed_postings": len(report.failed),
            "by_status": by_status,
        }
    )
