"""DF inventory updates: full snapshot once a day, changes hourly, per warehouse and vendor."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from vendor_pipelines.defs.constants import DUCKDB_POOL, OPERATIONS_OWNERS
from vendor_pipelines.defs.deployment import DEPLOYMENT
from vendor_pipelines.defs.exceptions.checks import exception_checks
from vendor_pipelines.defs.metadata import submission_result
from vendor_pipelines.defs.resources import AmazonVendorResource
from vendor_pipelines.defs.scheduling import coalescing_schedule, loop_tags
from vendor_pipelines.exceptions.store import record_detections
from vendor_pipelines.fulfilment.inventory import (
    INVENTORY_CHANNEL,
    INVENTORY_REJECTIONS,
    submit_inventory,
)

DF_INVENTORY_UPDATES = dg.AssetKey(["fulfilment", "df_inventory_updates"])


@dg.asset(
    key=DF_INVENTORY_UPDATES,
    deps=[["raw", "netsuite_item_stock"], ["raw", "netsuite_items"], ["raw", "netsuite_locations"]],
    group_name="fulfilment",
    owners=OPERATIONS_OWNERS,
    kinds={"python", "duckdb"},
    pool=DUCKDB_POOL,
    tags={"domain": "inventory"},
    description="DF availability (on hand - committed - backordered) sent per warehouse.",
)
def df_inventory_updates(
    duckdb: DuckDBResource, amazon: AmazonVendorResource
) -> dg.MaterializeResult:
    with duckdb.get_connection() as conn, amazon.clients() as client:
        report = submit_inventory(conn, client)
        record_detections(
            conn,
            DF_INVENTORY_UPDATES.to_user_string(),
            query=INVENTORY_REJECTIONS,
            detections=report.transmission_errors,
        )
        return submission_result(conn, [INVENTORY_CHANNEL], report)


df_inventory_checks = exception_checks(DF_INVENTORY_UPDATES.path, ["inventory_update_rejected"])

df_inventory_job = dg.define_asset_job(
    "df_inventory",
    selection=dg.AssetSelection.assets(
        ["raw", "netsuite_items"],
        ["raw", "netsuite_item_stock"],
        ["raw", "netsuite_locations"],
        ["raw", "netsuite_customers"],
        DF_INVENTORY_UPDATES,
    ),
    description="Snapshot NetSuite stock and send DF availability per warehouse.",
    tags=loop_tags("fulfilment"),
)

# Hourly by default: the first run of each UTC day sends the full snapshot, the others changes.
df_inventory_schedule = coalescing_schedule(
    "df_inventory_schedule",
    df_inventory_job,
    DEPLOYMENT.df_inventory_cron,
    DEPLOYMENT.operations_timezone,
    "DF inventory on DF_INVENTORY_CRON (default hourly at :20).",
)
