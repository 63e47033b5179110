"""Sales orders in NetSuite, one per Amazon purchase order, upserted by external id."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from vendor_pipelines.defs.constants import DUCKDB_POOL, OPERATIONS_OWNERS
from vendor_pipelines.defs.exceptions.checks import exception_checks
from vendor_pipelines.defs.metadata import table
from vendor_pipelines.defs.resources import NetSuiteResource, PiiResource, SettingsResource
from vendor_pipelines.exceptions.store import record_detections
from vendor_pipelines.orders.detections import MAPPING_AND_PRICE, UNSYNCED_PURCHASE_ORDERS
from vendor_pipelines.orders.plans import SALES_ORDER_CHANNEL, OrderRules
from vendor_pipelines.orders.sync import close_cancelled_lines, sync_sales_orders
from vendor_pipelines.settings import Settings

SALES_ORDERS = dg.AssetKey(["orders", "sales_orders"])


def order_rules(settings: Settings) -> OrderRules:
    return OrderRules(
        price_tolerance_pct=settings.price_tolerance_pct,
        auto_acknowledge_rp=settings.auto_acknowledge_rp,
        auto_acknowledge_df=settings.auto_acknowledge_df,
    )


@dg.asset(
    key=SALES_ORDERS,
    deps=[
        ["raw", "amazon_purchase_orders"],
        ["raw", "netsuite_items"],
        ["raw", "netsuite_locations"],
        ["raw", "netsuite_customers"],
    ],
    group_name="orders",
    owners=OPERATIONS_OWNERS,
    kinds={"python", "duckdb"},
    pool=DUCKDB_POOL,
    tags={"domain": "orders"},
    description="One NetSuite sales order per Amazon PO (externalId upsert), with mapping checks.",
)
def sales_orders(
    context: dg.AssetExecutionContext,
    duckdb: DuckDBResource,
    netsuite: NetSuiteResource,
    settings: SettingsResource,
    pii: PiiResource,
) -> dg.MaterializeResult:
    config = settings.read()
    rules = order_rules(config)
    cipher = pii.cipher()
    with duckdb.get_connection() as conn, netsuite.client() as client:
        report = sync_sales_orders(conn, client, rules, cipher, config.netsuite_concurrency_limit)
        cancelled = close_cancelled_lines(conn, client)
        source = SALES_ORDERS.to_user_string()
        record_detections(
            conn,
            source,
            query=f"{MAPPING_AND_PRICE} union all {UNSYNCED_PURCHASE_ORDERS}",
            params=[rules.price_tolerance_abs, rules.price_tolerance_pct],
            detections=report.transmission_errors,
        )
        synced = conn.execute(
            "select count(*) from ops.submissions where channel = ? and status = 'succeeded'",
            [SALES_ORDER_CHANNEL],
        ).fetchone()[0]
        preview = table(
            conn,
            """select submission_key as external_id, external_ref as netsuite_id, status,
                      attempts, last_attempt_at
               from ops.submissions where channel = ?
               order by last_attempt_at desc limit 10""",
            [SALES_ORDER_CHANNEL],
        )
    context.log.info("sales orders: %s upserted, %s failed", report.succeeded, report.failed)
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": int(synced),
            "upserted_this_run": report.succeeded,
            "failed_this_run": report.failed,
            "cancellations_closed_this_run": cancelled,
            "preview": preview,
        }
    )


sales_order_checks = exception_checks(
    SALES_ORDERS.path,
    [
        "po_not_mapped",
        "sku_mapping_gap",
        "location_mapping_gap",
        "price_discrepancy",
        "transmission_error",
    ],
)
