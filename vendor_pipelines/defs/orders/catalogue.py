"""The NetSuite catalogue snapshot: items (SKU, ASIN, price, cost), stock, locations, customers."""

import dagster as dg
from dagster_duckdb import DuckDBResource

from vendor_pipelines.defs.constants import DUCKDB_POOL, OPERATIONS_OWNERS
from vendor_pipelines.defs.resources import AmazonVendorResource, NetSuiteResource
from vendor_pipelines.orders.catalogue import set_ship_from_mapping, snapshot_catalogue

CATALOGUE_TABLES = {
    "netsuite_items": "NetSuite inventory items with SKU, ASIN, price and cost.",
    "netsuite_item_stock": "NetSuite stock by item and location (on hand, available, committed).",
    "netsuite_locations": "NetSuite locations with the Amazon ship-from party id they serve.",
    "netsuite_customers": "NetSuite customers, one per Amazon vendor code.",
}


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            key=["raw", table],
            group_name="orders",
            owners=OPERATIONS_OWNERS,
            kinds={"python", "duckdb"},
            tags={"domain": "catalogue"},
            description=description,
        )
        for table, description in CATALOGUE_TABLES.items()
    ],
    name="netsuite_catalogue",
    pool=DUCKDB_POOL,
)
def netsuite_catalogue(
    duckdb: DuckDBResource, netsuite: NetSuiteResource, amazon: AmazonVendorResource
):
    mapping = amazon.ship_from_mapping()
    with duckdb.get_connection() as conn, netsuite.client() as client:
        counts = snapshot_catalogue(conn, client)
        set_ship_from_mapping(conn, mapping)
        unmapped_locations = conn.execute(
            "select count(*) from raw.netsuite_locations where amazon_party_id is null"
        ).fetchone()[0]
    extra = {
        "netsuite_items": {},
        "netsuite_item_stock": {},
        "netsuite_locations": {"without_amazon_party_id": int(unmapped_locations)},
        "netsuite_customers": {"rp_ship_from_mapping": dg.MetadataValue.json(mapping)},
    }
    for table, count in zip(
        CATALOGUE_TABLES,
        (counts.items, counts.stock_levels, counts.locations, counts.customers),
        strict=True,
    ):
        yield dg.MaterializeResult(
            asset_key=["raw", table],
            metadata={
                "dagster/row_count": count,
                "dagster/table_name": f"raw.{table}",
                **extra[table],
            },
        )
