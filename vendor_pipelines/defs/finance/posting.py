"""Posting verified settlements to NetSuite, and publishing the marts for analysts."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from vendor_pipelines.defs.constants import DUCKDB_POOL, FINANCE_OWNERS
from vendor_pipelines.defs.exceptions.checks import exception_checks
from vendor_pipelines.defs.finance.dbt import settlement_window
from vendor_pipelines.defs.finance.partitions import settlement_days
from vendor_pipelines.defs.resources import NetSuiteResource, SettingsResource
from vendor_pipelines.exceptions.store import record_detections
from vendor_pipelines.finance.posting import post_settlements
from vendor_pipelines.finance.publish import publish_analytics

POSTINGS = dg.AssetKey(["finance", "netsuite_postings"])
ANALYTICS = dg.AssetKey(["marts", "analytics_copy"])


@dg.asset(
    key=POSTINGS,
    deps=[
        ["finance", "gl_postings"],
        ["finance", "cash_application"],
        ["finance", "settlement_reconciliation"],
    ],
    partitions_def=settlement_days,
    backfill_policy=dg.BackfillPolicy.single_run(),
    group_name="finance",
    owners=FINANCE_OWNERS,
    kinds={"python", "netsuite"},
    pool=DUCKDB_POOL,
    description="Customer payment and deduction journal entry per verified settlement, once.",
)
def netsuite_postings(
    context: dg.AssetExecutionContext, duckdb: DuckDBResource, netsuite: NetSuiteResource
) -> dg.MaterializeResult:
    start, end = settlement_window(context)
    with duckdb.get_connection() as conn, netsuite.client() as client:
        report = post_settlements(conn, client, start, end)
        # Held payments are named by the dbt step (one exception per cause); what is recorded
        # here is what went wrong at posting time: bodies refused, NetSuite rejections.
        record_detections(
            conn,
            f"finance/netsuite_postings:{start}..{end}",
            detections=report.unpostable + report.failed,
            types=("posting_failed",),
        )
    context.log.info(
        f"settlements {start}..{end}: {report.posted} postings made, {report.unchanged} already "
        f"posted, {len(report.held)} payments held, {len(report.unpostable)} unpostable, "
        f"{len(report.failed)} failed"
    )
    return dg.MaterializeResult(
        metadata={
            "posted_this_run": report.posted,
            "already_posted": report.unchanged,
            "held_payment_count": len(report.held),
            # Read by automation from the event log (sensors never open the warehouse): the days
            # whose next run may post a payment held today, once its cause is fixed.
            "held_settlement_days": dg.MetadataValue.json(
                sorted({held.settlement_date.isoformat() for held in report.held})
            ),
            "held_payments": dg.MetadataValue.md(
                "\n".join(f"- {held.payment_number}: {held.reason}" for held in report.held)
                or "none"
            ),
            "unpostable_payments": len(report.unpostable),
            "failed_postings": len(report.failed),
        }
    )


posting_checks = exception_checks(
    POSTINGS.path,
    [
        "unmapped_deduction_code",
        "unexplained_variance",
        "settlement_drift",
        "settlement_customer_missing",
        "unapplied_cash",
        "posting_failed",
    ],
)


@dg.asset(
    key=ANALYTICS,
    deps=[
        ["marts", "asin_profitability"],
        ["finance", "open_deductions"],
        ["finance", "dispute_cases"],
        ["finance", "dispute_recovery"],
        ["finance", "dispute_root_causes"],
        POSTINGS,
        # After the day's dispute work, so the copy shows the day's cases as decided and posted.
        ["finance", "dispute_journals"],
    ],
    partitions_def=settlement_days,
    backfill_policy=dg.BackfillPolicy.single_run(),
    group_name="finance",
    owners=FINANCE_OWNERS,
    kinds={"duckdb"},
    pool=DUCKDB_POOL,
    description=(
        "Read-only copy for analysts (atomic replace): finance and marts tables, the GL mapping"
        " and rules, and the exceptions."
    ),
)
def analytics_copy(duckdb: DuckDBResource, settings: SettingsResource) -> dg.MaterializeResult:
    target = settings.read().analytics_duckdb_path
    with duckdb.get_connection() as conn:
        # Staging carries Amazon's own vendor reports, which analysts compare with the mart.
        result = publish_analytics(conn, target, schemas=("finance", "marts", "staging"))
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": result.rows,
            "path": dg.MetadataValue.path(str(result.path)),
            "tables": dg.MetadataValue.json(list(result.tables)),
        }
    )
