"""Snapshot the NetSuite catalogue into the warehouse: items, stock, locations, customers.

SuiteQL pages arrive as typed rows; each table is replaced in one statement from a DataFrame,
so the snapshot is consistent and re-running it changes nothing when NetSuite has not changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import duckdb
import pandas as pd

from vendor_pipelines.netsuite import NetSuiteClient
from vendor_pipelines.netsuite.rows import CatalogueItem, CustomerRow, InventoryLevel, LocationRow

# Items can pass SuiteQL's 100k-row offset ceiling, so they are keyset-paged by id.
ITEM_COLUMNS = (
    "id, itemid, displayname, custitem_amazon_asin, upccode, baseprice, cost, isinactive, "
    "weight, weightunit"
)
# NetSuite's weight units: SuiteQL gives the list id (1 lb, 2 oz, 3 kg, 4 g), a record or
# BUILTIN.DF its name. Landed as the name, so finance converts a unit weight to pounds by name.
WEIGHT_UNITS = {"1": "lb", "2": "oz", "3": "kg", "4": "g", "lbs": "lb"}
STOCK = (
    "select item, location, quantityonhand, quantityavailable, quantitycommitted, "
    "quantitybackordered from inventoryitemlocations"
)
LOCATIONS = "select id, name, custrecord_amazon_party_id, isinactive from location"
CUSTOMERS = (
    "select id, entityid, companyname, externalid, custentity_amazon_vendor_code from customer"
)


def item_weight(value: object) -> Decimal | None:
    """One unit's weight as SuiteQL gives it (a string), in the item's weight unit."""
    if value is None or str(value).strip() == "":
        return None
    return Decimal(str(value))


def weight_unit(value: object) -> str | None:
    """NetSuite's weight unit of an item as kg, lb, g or oz (as NetSuite names it otherwise)."""
    if value is None or str(value).strip() == "":
        return None
    text = str(value).strip().lower()
    return WEIGHT_UNITS.get(text, text)


@dataclass(frozen=True)
class CatalogueCounts:
    items: int
    stock_levels: int
    locations: int
    customers: int


def _replace(conn: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    conn.register("snapshot_frame", frame)
    try:
        conn.execute(f"delete from {table}")
        if len(frame):
            columns = ", ".join(frame.columns)
            conn.execute(f"insert into {table} ({columns}) select {columns} from snapshot_frame")
    finally:
        conn.unregister("snapshot_frame")


def snapshot_catalogue(
    conn: duckdb.DuckDBPyConnection, netsuite: NetSuiteClient
) -> CatalogueCounts:
    items = [
        {
            "item_id": str(r.id),
            "sku": r.itemid,
            "asin": r.custitem_amazon_asin,
            "price": r.baseprice,
            "cost": r.cost,
            "upc": r.upccode,
            "is_inactive": r.isinactive,
            # Not fields of CatalogueItem: SuiteQL leaves a null column out of its row.
            "weight": item_weight(getattr(r, "weight", None)),
            "weight_unit": weight_unit(getattr(r, "weightunit", None)),
        }
        for r in netsuite.suiteql_by_key(ITEM_COLUMNS, "item", row_model=CatalogueItem)
    ]
    stock = [
        {
            "item_id": str(r.item),
            "location_id": str(r.location),
            "quantity_on_hand": int(r.quantityonhand),
            "quantity_available": int(r.quantityavailable),
            "quantity_committed": int(r.quantitycommitted),
            "quantity_backordered": int(r.quantitybackordered),
        }
        for r in netsuite.suiteql(STOCK, row_model=InventoryLevel)
    ]
    locations = [
        {"location_id": str(r.id), "name": r.name, "amazon_party_id": r.custrecord_amazon_party_id}
        for r in netsuite.suiteql(LOCATIONS, row_model=LocationRow)
        if not r.isinactive
    ]
    customers = [
        {
            "customer_id": str(r.id),
            "external_id": r.externalid,
            "name": r.companyname or r.entityid,
            "vendor_code": r.custentity_amazon_vendor_code,
        }
        for r in netsuite.suiteql(CUSTOMERS, row_model=CustomerRow)
    ]
    conn.execute("begin transaction")
    try:
        for table, rows in (
            ("raw.netsuite_items", items),
            ("raw.netsuite_item_stock", stock),
            ("raw.netsuite_locations", locations),
            ("raw.netsuite_customers", customers),
        ):
            _replace(conn, table, pd.DataFrame(rows))
        conn.execute("commit")
    except BaseException:
        conn.execute("rollback")
        raise
    return CatalogueCounts(len(items), len(stock), len(locations), len(customers))


def set_ship_from_mapping(conn: duckdb.DuckDBPyConnection, mapping: dict[str, str]) -> None:
    """Replace the RP vendor code -> ship-from warehouse mapping operators configured."""
    conn.execute("delete from config.ship_from_by_vendor_code")
    if mapping:
        conn.executemany(
            "insert into config.ship_from_by_vendor_code values (?, ?)", list(mapping.items())
        )
