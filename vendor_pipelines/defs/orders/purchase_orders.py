"""Purchase orders from Amazon (RP and DF), pulled incrementally into the warehouse."""

from datetime import UTC, datetime, timedelta

import dagster as dg
from dagster_duckdb import DuckDBResource

from vendor_pipelines.defs.constants import DUCKDB_POOL, OPERATIONS_OWNERS
from vendor_pipelines.defs.exceptions.checks import exception_checks
from vendor_pipelines.defs.metadata import table
from vendor_pipelines.defs.resources import AmazonVendorResource, PiiResource, SettingsResource
from vendor_pipelines.exceptions.store import record_detections
from vendor_pipelines.orders.detections import QUARANTINED_PAYLOADS
from vendor_pipelines.orders.pull import pull_purchase_orders
from vendor_pipelines.orders.windows import open_ship_windows

PURCHASE_ORDERS = dg.AssetKey(["raw", "amazon_purchase_orders"])


@dg.asset(
    key=PURCHASE_ORDERS,
    group_name="orders",
    owners=OPERATIONS_OWNERS,
    kinds={"python", "duckdb"},
    pool=DUCKDB_POOL,
    tags={"domain": "orders"},
    description="Amazon RP and DF purchase orders, latest state, lines and history (incremental).",
)
def amazon_purchase_orders(
    context: dg.AssetExecutionContext,
    duckdb: DuckDBResource,
    amazon: AmazonVendorResource,
    settings: SettingsResource,
    pii: PiiResource,
) -> dg.MaterializeResult:
    config = settings.read()
    with duckdb.get_connection() as conn, amazon.clients() as regions:
        report = pull_purchase_orders(
            conn,
            regions,
            vendor_codes=config.vendor_code_filter,
            lookback=timedelta(days=config.order_lookback_days),
            cipher=pii.cipher(),
        )
        record_detections(conn, "raw/amazon_purchase_orders", query=QUARANTINED_PAYLOADS)
        total, lines = conn.execute(
            """select (select count(*) from raw.amazon_purchase_orders),
                      (select count(*) from raw.amazon_purchase_order_lines)"""
        ).fetchone()
        preview = table(
            conn,
            """select purchase_order_number, program, vendor_code, purchase_order_state,
                      purchase_order_date, ship_window_end
               from raw.amazon_purchase_orders order by last_changed_at desc limit 10""",
        )
        windows = open_ship_windows(conn, datetime.now(UTC))
    context.log.info(
        "pulled %s orders (%s changed, %s quarantined) from %s",
        report.received,
        report.changed,
        report.quarantined,
        sorted(report.sources),
    )
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": int(total),
            "dagster/table_name": "raw.amazon_purchase_orders",
            "line_count": int(lines),
            "received_this_run": report.received,
            "changed_this_run": report.changed,
            "quarantined_this_run": report.quarantined,
            "regions": ", ".join(report.regions),
            "preview": preview,
            # Read by the PO window sensor, which must not open the warehouse itself.
            "open_ship_windows": dg.MetadataValue.json(windows),
        }
    )


purchase_order_checks = exception_checks(PURCHASE_ORDERS.path, ["quarantined_payload"])
