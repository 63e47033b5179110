"""Invoices to Amazon (RP submitInvoices, DF submitInvoice), after the shipment is confirmed."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from vendor_pipelines.defs.constants import DUCKDB_POOL, OPERATIONS_OWNERS
from vendor_pipelines.defs.exceptions.checks import exception_checks
from vendor_pipelines.defs.fulfilment.netsuite import INVOICES
from vendor_pipelines.defs.fulfilment.shipments import DF_SHIPMENTS, SHIPMENT_CONFIRMATIONS
from vendor_pipelines.defs.metadata import submission_result
from vendor_pipelines.defs.resources import AmazonVendorResource
from vendor_pipelines.exceptions.store import record_detections
from vendor_pipelines.fulfilment.invoices import (
    INVOICE_CHANNELS,
    invoice_detections_sql,
    submit_invoices,
)

INVOICE_SUBMISSIONS = dg.AssetKey(["fulfilment", "invoice_submissions"])


@dg.asset(
    key=INVOICE_SUBMISSIONS,
    deps=[INVOICES, SHIPMENT_CONFIRMATIONS, DF_SHIPMENTS],
    group_name="fulfilment",
    owners=OPERATIONS_OWNERS,
    kinds={"python", "duckdb"},
    pool=DUCKDB_POOL,
    tags={"domain": "invoicing"},
    description="NetSuite invoices sent to Amazon once shipped and consistent with PO and ASN.",
)
def invoice_submissions(
    duckdb: DuckDBResource, amazon: AmazonVendorResource
) -> dg.MaterializeResult:
    with duckdb.get_connection() as conn, amazon.clients() as client:
        report = submit_invoices(conn, client)
        record_detections(
            conn,
            INVOICE_SUBMISSIONS.to_user_string(),
            query=invoice_detections_sql(),
            detections=report.transmission_errors,
        )
        return submission_result(conn, list(INVOICE_CHANNELS.values()), report)


invoice_checks = exception_checks(
    INVOICE_SUBMISSIONS.path, ["invoice_rejected", "invoice_mismatch", "transmission_error"]
)
