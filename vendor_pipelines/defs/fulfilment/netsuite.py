"""NetSuite item fulfilments (with packages) and invoices, landed incrementally.

Against the embedded sandbox the warehouse simulation first runs one wave (pick, pack, ship and
bill approved orders; see sandbox/netsuite/warehouse.py), so each run shows the next step.
"""

import dagster as dg
import httpx
from dagster_duckdb import DuckDBResource

from vendor_pipelines.connections import sandbox_for
from vendor_pipelines.defs.constants import DUCKDB_POOL, OPERATIONS_OWNERS
from vendor_pipelines.defs.resources import NetSuiteResource
from vendor_pipelines.fulfilment.landing import land_fulfilments, land_invoices
from vendor_pipelines.fulfilment.schema import ensure_fulfilment_tables
from vendor_pipelines.sandbox.netsuite.app import WAREHOUSE_PATH
from vendor_pipelines.settings import load_settings

ITEM_FULFILMENTS = dg.AssetKey(["raw", "netsuite_item_fulfilments"])
INVOICES = dg.AssetKey(["raw", "netsuite_invoices"])
INVOICE_LINES = dg.AssetKey(["raw", "netsuite_invoice_lines"])


def _preview(conn, sql: str) -> dg.MetadataValue:
    frame = conn.execute(sql).df()
    return dg.MetadataValue.md(frame.to_markdown(index=False) if len(frame) else "none")


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
    context: dg.AssetExecutionContext, duckdb: DuckDBResource, netsuite: NetSuiteResource
) -> dg.MaterializeResult:
    settings = load_settings()
    # In live mode the sandbox warehouse works on its own clock (sandbox/live.py).
    if netsuite.is_sandbox and not settings.sandbox_live:
        url = sandbox_for(settings).netsuite_url + WAREHOUSE_PATH
        waves = httpx.post(url, timeout=120).raise_for_status().json()
        context.log.info("sandbox warehouse wave: %s", waves)
    with duckdb.get_connection() as conn, netsuite.client() as client:
        ensure_fulfilment_tables(conn)
        changed = land_fulfilments(conn, client)
        total, packages = conn.execute(
            """select (select count(*) from raw.netsuite_item_fulfilments),
                      (select count(*) from raw.netsuite_fulfilment_packages)"""
        ).fetchone()
        preview = _preview(
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
        ensure_fulfilment_tables(conn)
        changed = land_invoices(conn, client)
        total, lines = conn.execute(
            """select (select count(*) from raw.netsuite_invoices),
                      (select count(*) from raw.netsuite_invoice_lines)"""
        ).fetchone()
        preview = _preview(
            conn,
            """select tranid, po_number, vendor_code, trandate, total, status
               from raw.netsuite_invoices order by trandate desc, tranid desc limit 10""",
        )
    yield dg.MaterializeResult(
        asset_key=INVOICES,
        metadata={"dagster/row_count": int(total), "changed_this_run": changed, "preview": preview},
    )
    yield dg.MaterializeResult(asset_key=INVOICE_LINES, metadata={"dagster/row_count": int(lines)})
