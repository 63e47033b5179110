"""First-start seeding from the shared world: items, locations, stock, one customer per vendor,
and the account's terms of payment with each customer's default terms.

Ids come from the world (item.netsuite_internal_id, warehouse.netsuite_location_id) so the
Amazon sandbox and pipeline tests can name them; the unmapped warehouse gets no location.

Terms (records/terms.py) are seeded under their own marker, so a store seeded before the
sandbox knew terms gets them (and its customers their default terms) at the next start.
"""

from __future__ import annotations

from vendor_sandbox.netsuite.records import Books
from vendor_sandbox.netsuite.records.base import now_iso
from vendor_sandbox.netsuite.records.terms import ACCOUNT_TERMS, PaymentTerm, term_named
from vendor_sandbox.netsuite.suiteql.tables import currency_id
from vendor_sandbox.store import SandboxStore
from vendor_sandbox.world import World

SEEDED_META = "netsuite.seeded"
TERMS_META = "netsuite.terms_seeded"
CUSTOMER_ID_START = 2000
# Each vendor code's agreed terms, dealt by region in the order the world lists its vendor
# codes (the first NA code Net 90, the second Net 60, ...); deterministic for a world.
REGION_TERMS: dict[str, tuple[str, ...]] = {
    "NA": ("Net 90", "Net 60"),
    "EU": ("90 EOM", "Net 60"),
    "FE": ("Net 60",),
}


def customer_id_for(world: World, vendor_code: str) -> int:
    codes = [vendor.vendor_code for vendor in world.vendors]
    return CUSTOMER_ID_START + codes.index(vendor_code)


def terms_for(world: World, vendor_code: str) -> PaymentTerm:
    """The default terms of the customer that bills `vendor_code`."""
    vendor = next(v for v in world.vendors if v.vendor_code == vendor_code)
    turn = [v.vendor_code for v in world.vendors if v.region == vendor.region].index(vendor_code)
    names = REGION_TERMS.get(vendor.region, REGION_TERMS["NA"])
    return term_named(names[turn % len(names)])


def seed_if_empty(store: SandboxStore, world: World) -> bool:
    """Seed once per store; concurrent first starts (several processes) seed exactly once."""
    with store.transaction():
        books = Books(store, {})
        seeded = not store.get_meta(SEEDED_META)
        if seeded:
            _seed_world(books, world)
            store.set_meta(SEEDED_META, f"seed={world.seed}")
        if not store.get_meta(TERMS_META):
            _seed_terms(books, world)
            store.set_meta(TERMS_META, f"terms={len(ACCOUNT_TERMS)}")
        return seeded


def _seed_terms(books: Books, world: World) -> None:
    """The account's terms, and each Amazon customer's default terms (unless it has some)."""
    created = now_iso()
    for term in ACCOUNT_TERMS:
        if books.get("term", str(term.id)) is None:
            books.put("term", term.record() | {"createdDate": created})
    for vendor in world.vendors:
        customer = books.get("customer", str(customer_id_for(world, vendor.vendor_code)))
        if customer is None or customer.get("terms"):
            continue
        term = terms_for(world, vendor.vendor_code)
        customer["terms"] = {"id": str(term.id), "refName": term.name}
        books.put("customer", customer)


def _seed_world(books: Books, world: World) -> None:
    """Items, locations, stock and one customer per vendor code."""
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
