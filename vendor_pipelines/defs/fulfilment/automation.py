"""The fulfilment loop under the daemon: fulfilments -> ASNs / DF confirmations -> invoices."""

import dagster as dg

from vendor_pipelines.defs.deployment import DEPLOYMENT
from vendor_pipelines.defs.fulfilment.invoicing import INVOICE_SUBMISSIONS
from vendor_pipelines.defs.fulfilment.netsuite import INVOICE_LINES, INVOICES, ITEM_FULFILMENTS
from vendor_pipelines.defs.fulfilment.shipments import DF_SHIPMENTS, SHIPMENT_CONFIRMATIONS
from vendor_pipelines.defs.scheduling import coalescing_schedule, loop_tags

fulfilment_sync_job = dg.define_asset_job(
    "fulfilment_sync",
    # NetSuite has no push: each run polls new fulfilments and invoices, then sends what is
    # ready (an invoice only after its shipment was confirmed), then refreshes exceptions.
    selection=dg.AssetSelection.assets(
        ITEM_FULFILMENTS,
        SHIPMENT_CONFIRMATIONS,
        DF_SHIPMENTS,
        INVOICES,
        INVOICE_LINES,
        INVOICE_SUBMISSIONS,
        ["ops", "exceptions"],
    ),
    description="Land NetSuite fulfilments and invoices; send ASNs, DF confirmations, invoices.",
    tags=loop_tags("fulfilment"),
)

fulfilment_sync_schedule = coalescing_schedule(
    "fulfilment_sync_schedule",
    fulfilment_sync_job,
    DEPLOYMENT.fulfilment_sync_cron,
    DEPLOYMENT.operations_timezone,
    "Fulfilment loop on FULFILMENT_SYNC_CRON (default every 15 minutes, offset from orders).",
)
