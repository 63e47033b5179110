"""Schedules of the order sync and of the NetSuite catalogue snapshot."""

import dagster as dg

from vendor_pipelines.defs.deployment import DEPLOYMENT
from vendor_pipelines.defs.scheduling import coalescing_schedule, loop_tags

order_sync_job = dg.define_asset_job(
    "order_sync",
    # The catalogue snapshot comes first in every sync: acknowledgements allocate today's stock,
    # and a PO must never be judged against a catalogue that was not read yet (a new deployment
    # would otherwise reject every line as an unknown product).
    selection=dg.AssetSelection.assets(
        ["raw", "netsuite_items"],
        ["raw", "netsuite_item_stock"],
        ["raw", "netsuite_locations"],
        ["raw", "netsuite_customers"],
        ["raw", "amazon_purchase_orders"],
        ["orders", "sales_orders"],
        ["orders", "acknowledgements"],
        ["ops", "exceptions"],
    ),
    description="Snapshot the catalogue, pull POs, upsert sales orders, acknowledge, exceptions.",
    tags=loop_tags("orders"),
)

catalogue_job = dg.define_asset_job(
    "catalogue_snapshot",
    selection=dg.AssetSelection.groups("orders")
    & dg.AssetSelection.key_prefixes(
        ["raw", "netsuite_items"],
        ["raw", "netsuite_item_stock"],
        ["raw", "netsuite_locations"],
        ["raw", "netsuite_customers"],
    ),
    description="Snapshot the NetSuite catalogue (items, stock, locations, customers).",
    tags=loop_tags("catalogue"),
)

order_sync_schedule = coalescing_schedule(
    "order_sync_schedule",
    order_sync_job,
    DEPLOYMENT.order_sync_cron,
    DEPLOYMENT.operations_timezone,
    "Order sync on ORDER_SYNC_CRON (default every 15 minutes); skipped while one is queued.",
)

catalogue_schedule = coalescing_schedule(
    "catalogue_schedule",
    catalogue_job,
    DEPLOYMENT.catalogue_cron,
    DEPLOYMENT.operations_timezone,
    "NetSuite catalogue snapshot on CATALOGUE_CRON (default hourly).",
)
