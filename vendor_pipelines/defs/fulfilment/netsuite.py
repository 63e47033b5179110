"""NetSuite item fulfilments (with packages) and invoices, landed incrementally.

The warehouse picks, packs, ships and bills on its own; each run lands what changed in NetSuite
since the last one (NetSuite has no push).
"""

import dagster as dg
from dagster_duckdb import DuckDBResource

from vendor_pipelines.defs.constants import DUCKDB_POOL, OPERATIONS_OWNERS
from vendor_pipelines.defs.metadata import table
from vendor_pipelines.defs.resources import NetSuiteResource
from vendor_pipelines.fulfilment.landing import land_fulfilments, land_invoices

ITEM_FULFILMENTS = dg.AssetKey(["raw", "netsuite_item_fulfilments"])
INVOICES = dg.AssetKey(["raw", "netsuite_invoices"])
INVOICE_LINES = dg.AssetKey(["raw", "netsuite_invoice_lines"])


@dg.asset(
    key=ITEM_FULFILMENTS,
    deps=[["orders", "acknowledgements"]],
    group_name="fulfilment",
    owners=OPERATIONS_OWNERS,
    kinds={"python", "duckdb"},
    pool=DUCKDB_POOL,
    tags={"domain": "fulfilment"},
    description="NetSuite item fulfilments, their lines and packages (SSCC, weight, tracking).",
)
def netsuite_item_fulfilments(
    duckdb: DuckDBResource, netsuite: NetSuiteResource
) -> dg.MaterializeResult:
    with duckdb.get_connection() as conn, netsuite.client() as client:
        changed = land_fulfilments(conn, client)
        total, packages = conn.execute(
            """select (select count(*) from raw.netsuite_item_fulfilments),
                      (select count(*) from raw.netsuite_fulfilment_packages)"""
        ).fetchone()
        preview = table(
            conn,
            """select tranid, program, purchase_order_number, ship_status, created_at
               from raw.netsuite_item_fulfilments order by created_at desc limit 10""",
        )
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": int(total),
            "changed_this_run": changed,
            "packages": int(packages),
            "preview": preview,
        }
    )


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            key=key,
            deps=[ITEM_FULFILMENTS, ["raw", "netsuite_items"]],
            group_name="fulfilment",
            owners=OPERATIONS_OWNERS,
            kinds={"python", "duckdb"},
            tags={"domain": "invoicing"},
            description=description,
        )
        for key, description in (
            (INVOICES, "NetSuite invoices (raw.netsuite_invoices, read by finance)."),
            (INVOICE_LINES, "NetSuite invoice lines with SKU, ASIN, quantity and rate."),
        )
    ],
    name="netsuite_invoices",
    pool=DUCKDB_POOL,
)
def netsuite_invoices(duckdb: DuckDBResource, netsuite: NetSuiteResource):
    with duckdb.get_connection() as conn, netsuite.client() as client:
        changed = land_invoices(conn, client)
        total, lines = conn.execute(
            """select (select count(*) from raw.netsuite_invoices),
                      (select count(*) from raw.netsuite_invoice_lines)"""
        ).fetchone()
        preview = table(
            conn,
            """select tranid, po_number, vendor_code, trandate, total, status
               from raw.netsuite_invoices order by trandate desc, tranid desc limit 10""",
        )
    yield dg.MaterializeResult(
        asset_key=INVOICES,
        metadata={"dagster/row_count": int(total), "changed_this_run": changed, "preview": preview},
    )
    yield dg.MaterializeResult(asset_key=INVOICE_LINES, metadata={"dagster/row_count": int(lines)})
