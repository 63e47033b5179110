"""Valid claims settled on both sides: a credit note to Amazon, then a NetSuite credit memo."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from vendor_pipelines.defs.constants import DUCKDB_POOL, FINANCE_OWNERS
from vendor_pipelines.defs.exceptions.checks import exception_checks
from vendor_pipelines.defs.finance.partitions import settlement_days
from vendor_pipelines.defs.metadata import submission_result, table
from vendor_pipelines.defs.resources import AmazonVendorResource, NetSuiteResource
from vendor_pipelines.disputes.credit_notes import (
    CREDIT_MEMO_CHANNEL,
    CREDIT_NOTE_CHANNEL,
    REJECTED_CREDIT_NOTES,
    settle_valid_claims,
)
from vendor_pipelines.exceptions.store import record_detections

DISPUTE_CREDIT_NOTES = dg.AssetKey(["finance", "dispute_credit_notes"])
DISPUTE_CREDIT_NOTE_LINES = dg.AssetKey(["finance", "dispute_credit_note_lines"])

# Each valid claim's settlement as it stands on both sides.
SETTLEMENTS = """
select case_id, credit_note_id, debit_note_number, reference_invoice_number as invoice, asin,
       units, amount, currency, credit_note_status as amazon, credit_memo_status as netsuite
from finance.dispute_credit_note_lines
order by case_id
"""


# Partitioned by settlement day like the other dispute assets: the run that judges a claim
# valid settles it the same night; a credit note still processing at Amazon is polled, and its
# memo posted, by the next settlement run.
@dg.asset(
    key=DISPUTE_CREDIT_NOTES,
    deps=[DISPUTE_CREDIT_NOTE_LINES],
    partitions_def=settlement_days,
    backfill_policy=dg.BackfillPolicy.single_run(),
    group_name="finance",
    owners=FINANCE_OWNERS,
    kinds={"python", "amazon", "netsuite"},
    pool=DUCKDB_POOL,
    tags={"domain": "disputes"},
    description="RP credit note and NetSuite credit memo settling each valid claim, once.",
)
def dispute_credit_notes(
    context: dg.AssetExecutionContext,
    duckdb: DuckDBResource,
    amazon: AmazonVendorResource,
    netsuite: NetSuiteResource,
) -> dg.MaterializeResult:
    with duckdb.get_connection() as conn, amazon.clients() as regions, netsuite.client() as ns:
        report = settle_valid_claims(
            conn, regions, ns, price_adjustment_item_id=netsuite.price_adjustment_item_id
        )
        record_detections(
            conn,
            DISPUTE_CREDIT_NOTES.to_user_string(),
            query=REJECTED_CREDIT_NOTES,
            detections=report.amazon.transmission_errors + report.netsuite.failed,
            types=("credit_note_rejected", "transmission_error", "posting_failed"),
        )
        settlements = table(conn, SETTLEMENTS)
        context.log.info(
            f"credit notes: {report.amazon.sent} sent, {report.amazon.succeeded} accepted, "
            f"{report.amazon.failed} rejected, {report.amazon.processing} processing; memos: "
            f"{report.netsuite.posted} posted, {len(report.netsuite.failed)} failed"
        )
        return submission_result(
            conn,
            [CREDIT_NOTE_CHANNEL, CREDIT_MEMO_CHANNEL],
            report.amazon,
            memos_posted_this_run=report.netsuite.posted,
            memos_failed=len(report.netsuite.failed),
            kept_on_journal=dg.MetadataValue.json(report.without_memo),
            settlements=settlements,
        )


credit_note_checks = exception_checks(DISPUTE_CREDIT_NOTES.path, ["credit_note_rejected"])
