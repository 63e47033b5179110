"""The daily purge of Direct Fulfillment ship-to addresses past Amazon's retention."""

from datetime import UTC, datetime

import dagster as dg
from dagster_duckdb import DuckDBResource

from vendor_pipelines.defs.constants import DUCKDB_POOL, OPERATIONS_OWNERS
from vendor_pipelines.defs.deployment import DEPLOYMENT
from vendor_pipelines.defs.scheduling import coalescing_schedule, loop_tags
from vendor_pipelines.fulfilment.df_retention import purge_expired_addresses

ADDRESS_PURGE = dg.AssetKey(["orders", "df_address_purge"])


@dg.asset(
    key=ADDRESS_PURGE,
    deps=[["raw", "amazon_purchase_orders"], ["fulfilment", "df_shipments"]],
    group_name="orders",
    owners=OPERATIONS_OWNERS,
    kinds={"duckdb", "sql"},
    pool=DUCKDB_POOL,
    tags={"domain": "orders", "pii": "true"},
    description="Encrypted DF addresses deleted 30 days after shipment (Amazon data policy).",
)
def df_address_purge(duckdb: DuckDBResource) -> dg.MaterializeResult:
    now = datetime.now(UTC)
    with duckdb.get_connection() as conn:
        purged = purge_expired_addresses(conn, now)
        kept, oldest = conn.execute(
            "select count(*), min(captured_at) from raw.df_ship_to_addresses"
        ).fetchone()
    return dg.MaterializeResult(
        metadata={
            "purged_this_run": purged,
            "addresses_kept": int(kept),
            "oldest_kept_captured_at": str(oldest) if oldest else "none",
        }
    )


pii_purge_job = dg.define_asset_job(
    "pii_purge",
    selection=dg.AssetSelection.assets(ADDRESS_PURGE),
    description="Purge DF ship-to addresses past retention.",
    tags=loop_tags("housekeeping"),
)

pii_purge_schedule = coalescing_schedule(
    "pii_purge_schedule",
    pii_purge_job,
    DEPLOYMENT.pii_purge_cron,
    DEPLOYMENT.operations_timezone,
    "Daily PII purge on PII_PURGE_CRON (default 03:15).",
)
