"""First-start seeding from the shared world: items, locations, stock, one customer per vendor.

Ids come from the world (item.netsuite_internal_id, warehouse.netsuite_location_id) so the
Amazon sandbox and pipeline tests can name them; the unmapped warehouse gets no location.
"""

from __future__ import annotations

from vendor_pipelines.sandbox.netsuite.records import Books
from vendor_pipelines.sandbox.netsuite.records.base import now_iso
from vendor_pipelines.sandbox.netsuite.suiteql.tables import currency_id
from vendor_pipelines.sandbox.store import SandboxStore
from vendor_pipelines.sandbox.world import World

SEEDED_META = "netsuite.seeded"
CUSTOMER_ID_START = 2000


def customer_id_for(world: World, vendor_code: str) -> int:
    codes = [vendor.vendor_code for vendor in world.vendors]
    return CUSTOMER_ID_START + codes.index(vendor_code)


def seed_if_empty(store: SandboxStore, world: World) -> bool:
    """Seed once per store; concurrent first starts (several processes) seed exactly once."""
    with store.transaction():
        if store.get_meta(SEEDED_META):
            return False
        books = Books(store, {})
        created = now_iso()
        for item in world.items:
            books.put(
                "inventoryItem",
                {
                    "id": str(item.netsuite_internal_id),
                    "refName": item.sku,
                    "itemId": item.sku,
                    "displayName": item.name,
                    "itemType": {"id": "InvtPart", "refName": "Inventory Item"},
                    "upcCode": item.upc,
                    "custitem_amazon_asin": item.asin,
                    "basePrice": float(item.netsuite_price),
                    "cost": float(item.unit_cost),
                    "weight": float(item.weight_kg),
                    "weightUnit": {"id": "kg", "refName": "kg"},
                    "isInactive": False,
                    "createdDate": created,
                },
            )
        for warehouse in world.mapped_warehouses:
            books.put(
                "location",
                {
                    "id": str(warehouse.netsuite_location_id),
                    "refName": warehouse.name,
                    "name": warehouse.name,
                    "custrecord_amazon_party_id": warehouse.party_id,
                    "isInactive": False,
                    "createdDate": created,
                },
            )
        for (sku, location_id), on_hand in world.stock.items():
            item = world.item_by_sku(sku)
            assert item is not None
            books.put_stock(
                {
                    "item": str(item.netsuite_internal_id),
                    "location": str(location_id),
                    "quantityOnHand": on_hand,
                }
            )
        for vendor in world.vendors:
            books.put(
                "customer",
                {
                    "id": str(customer_id_for(world, vendor.vendor_code)),
                    "refName": vendor.customer_name,
                    "externalId": vendor.customer_external_id,
                    "entityId": vendor.customer_name,
                    "companyName": vendor.customer_name,
                    "custentity_amazon_vendor_code": vendor.vendor_code,
                    "currency": {
                        "id": str(currency_id(vendor.currency)),
                        "refName": vendor.currency,
                    },
                    "isInactive": False,
                    "createdDate": created,
                },
            )
        store.set_meta(SEEDED_META, f"seed={world.seed}")
        return True
