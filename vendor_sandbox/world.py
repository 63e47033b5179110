"""A deterministic vendor world shared by the Amazon and NetSuite sandboxes.

The same (seed, scale) always yields the same vendor codes, ASINs, SKUs, prices, warehouses and
stock, so the two simulators agree on the catalogue without talking to each other. Deliberate
defects are part of the world, not random noise, so tests can name them exactly:

* `unknown_asins` are ordered by Amazon but exist in no NetSuite item (SKU/ASIN mapping gap);
* items in `price_mismatch_skus` carry an Amazon net cost that differs from the NetSuite price;
* `unmapped_warehouse` is a ship-from party Amazon uses that no NetSuite location claims.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cache, cached_property

CENT = Decimal("0.01")

# Real Amazon fulfilment-centre codes (public), used as shipToParty ids on RP purchase orders.
FULFILMENT_CENTRES = ("ABE8", "PHX6", "ONT8", "MDW2", "BFI4", "SDF8", "TPA1", "DFW7")

PRODUCT_NOUNS = (
    "Kettle",
    "Blender",
    "Toaster",
    "Grinder",
    "Scale",
    "Thermos",
    "Skillet",
    "Lamp",
    "Speaker",
    "Charger",
    "Backpack",
    "Bottle",
    "Mixer",
    "Fan",
    "Heater",
    "Humidifier",
)
PRODUCT_ADJECTIVES = ("Compact", "Pro", "Classic", "Steel", "Smart", "Travel", "Family", "Mini")


@dataclass(frozen=True)
class Scale:
    """How big the simulated vendor is; the knob every generator reads."""

    vendor_codes: int = 2
    items: int = 40
    warehouses: int = 3
    purchase_orders_per_day: int = 12
    lines_per_order: int = 4
    df_orders_per_day: int = 8
    days: int = 7

    @classmethod
    def named(cls, name: str) -> Scale:
        presets = {
            "tiny": cls(
                vendor_codes=1,
                items=12,
                warehouses=2,
                purchase_orders_per_day=3,
                lines_per_order=3,
                df_orders_per_day=2,
                days=3,
            ),
            "small": cls(),
            "large": cls(
                vendor_codes=3,
                items=2_000,
                warehouses=4,
                purchase_orders_per_day=2_000,
                lines_per_order=20,
                df_orders_per_day=500,
                days=1,
            ),
        }
        if name not in presets:
            raise ValueError(f"unknown scale {name!r}; choose one of {sorted(presets)}")
        return presets[name]


@dataclass(frozen=True)
class Vendor:
    """One Amazon vendor code (sellingParty.partyId) and the NetSuite customer it bills."""

    vendor_code: str
    customer_external_id: str
    customer_name: str
    currency: str = "USD"
    region: str = "NA"  # the SP-API region whose host serves this vendor code's orders


@dataclass(frozen=True)
class Warehouse:
    """A vendor warehouse: Amazon ship-from party id and the NetSuite location that holds stock."""

    party_id: str
    name: str
    netsuite_location_id: int | None  # None for the deliberately unmapped warehouse


@dataclass(frozen=True)
class Item:
    """One sellable product as both sides know it."""

    sku: str
    asin: str
    upc: str
    name: str
    netsuite_price: Decimal  # the agreed net cost in NetSuite's price level
    amazon_net_cost: Decimal  # what Amazon puts on the PO (differs for price-mismatch items)
    list_price: Decimal
    unit_cost: Decimal  # COGS, NetSuite item cost
    weight_kg: Decimal
    case_pack: int
    netsuite_internal_id: int


@dataclass(frozen=True)
class World:
    seed: int
    scale: Scale
    vendors: tuple[Vendor, ...]
    warehouses: tuple[Warehouse, ...]
    items: tuple[Item, ...]
    unknown_asins: tuple[str, ...]
    stock: dict[tuple[str, int], int] = field(hash=False)  # (sku, location id) -> on hand
    price_mismatch_skus: frozenset[str] = frozenset()

    @property
    def mapped_warehouses(self) -> tuple[Warehouse, ...]:
        return tuple(w for w in self.warehouses if w.netsuite_location_id is not None)

    @property
    def unmapped_warehouse(self) -> Warehouse:
        return next(w for w in self.warehouses if w.netsuite_location_id is None)

    @property
    def regions(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(v.region for v in self.vendors))

    def vendor_codes_in(self, region: str) -> frozenset[str]:
        return frozenset(v.vendor_code for v in self.vendors if v.region == region)

    def item_by_asin(self, asin: str) -> Item | None:
        return self._items_by_asin.get(asin)

    def item_by_sku(self, sku: str) -> Item | None:
        return self._items_by_sku.get(sku)

    # Kept on the instance, not in a cache keyed by the world: hashing a frozen world hashes
    # every item, vendor and order in it, at each lookup (seconds for a large vendor's world).
    @cached_property
    def _items_by_asin(self) -> dict[str, Item]:
        return {item.asin: item for item in self.items}

    @cached_property
    def _items_by_sku(self) -> dict[str, Item]:
        return {item.sku: item for item in self.items}


def _money(value: float) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def _asin(rng: random.Random) -> str:
    return "B0" + "".join(rng.choices(string.ascii_uppercase + string.digits, k=8))


def _upc(rng: random.Random) -> str:
    body = [rng.randrange(10) for _ in range(11)]
    odd = sum(body[0::2]) * 3 + sum(body[1::2])
    return "".join(map(str, body)) + str((10 - odd % 10) % 10)


# The sandbox's Amazon buys in one currency per region (EU: the euro marketplaces).
REGION_CURRENCIES = {"NA": "USD", "EU": "EUR", "FE": "USD"}
AMAZON_ENTITIES = {
    "NA": "Amazon.com Services LLC",
    "EU": "Amazon EU SARL",
    "FE": "Amazon Japan G.K.",
}


@cache
def generate_world(
    seed: int = 7, scale: Scale = Scale(), regions: tuple[str, ...] = ("NA",)
) -> World:
    """Build the catalogue for a seed and scale; cached because both sandboxes ask for it.

    Vendor codes are dealt to the `regions` in turn (a vendor selling in NA and EU holds
    separate vendor codes there); the rest of the world does not depend on the regions.
    """
    rng = random.Random(seed)
    vendors = tuple(
        Vendor(
            vendor_code=code,
            customer_external_id=f"amazon-vendor-{code}",
            customer_name=f"{AMAZON_ENTITIES[regions[i % len(regions)]]} ({code})",
            currency=REGION_CURRENCIES[regions[i % len(regions)]],
            region=regions[i % len(regions)],
        )
        # Every region gets at least one vendor code, however small the scale.
        for i, code in enumerate(_distinct_codes(rng, max(scale.vendor_codes, len(regions)), 5))
    )
    # The last warehouse is one Amazon knows but NetSuite has no location for (a mapping gap).
    warehouse_ids = _distinct_codes(rng, max(scale.warehouses, 2), 4)
    warehouses = tuple(
        Warehouse(
            party_id=f"WH{code}",
            name=f"Warehouse {code}",
            netsuite_location_id=None if i == len(warehouse_ids) - 1 else 100 + i,
        )
        for i, code in enumerate(warehouse_ids)
    )
    seen_asins: set[str] = set()
    items: list[Item] = []
    mismatch: set[str] = set()
    for i in range(scale.items):
        asin = _asin(rng)
        while asin in seen_asins:
            asin = _asin(rng)
        seen_asins.add(asin)
        price = _money(rng.uniform(4, 180))
        sku = f"SKU-{i + 1:05d}"
        amazon_cost = price
        if i % 9 == 4:  # every ninth item disagrees on price, by a margin beyond tolerance
            amazon_cost = _money(float(price) * rng.choice((0.92, 1.07)))
            mismatch.add(sku)
        items.append(
            Item(
                sku=sku,
                asin=asin,
                upc=_upc(rng),
                name=f"{rng.choice(PRODUCT_ADJECTIVES)} {rng.choice(PRODUCT_NOUNS)} {i + 1}",
                netsuite_price=price,
                amazon_net_cost=amazon_cost,
                list_price=_money(float(price) * rng.uniform(1.35, 1.8)),
                unit_cost=_money(float(price) * rng.uniform(0.45, 0.7)),
                weight_kg=Decimal(str(round(rng.uniform(0.2, 9.5), 2))),
                case_pack=rng.choice((1, 2, 4, 6, 12)),
                netsuite_internal_id=1000 + i,
            )
        )
    unknown = []
    while len(unknown) < max(2, scale.items // 20):
        asin = _asin(rng)
        if asin not in seen_asins:
            seen_asins.add(asin)
            unknown.append(asin)
    stock: dict[tuple[str, int], int] = {}
    for position, item in enumerate(items):
        # One item in eight is out of stock everywhere, so acknowledgements backorder/reject.
        out = position % 8 == 3
        for warehouse in warehouses:
            if warehouse.netsuite_location_id is None:
                continue
            stock[(item.sku, warehouse.netsuite_location_id)] = 0 if out else rng.randrange(0, 400)
    return World(
        seed=seed,
        scale=scale,
        vendors=vendors,
        warehouses=warehouses,
        items=tuple(items),
        unknown_asins=tuple(unknown),
        stock=stock,
        price_mismatch_skus=frozenset(mismatch),
    )


def _distinct_codes(rng: random.Random, count: int, length: int) -> list[str]:
    codes: list[str] = []
    while len(codes) < count:
        code = "".join(rng.choices(string.ascii_uppercase, k=length))
        if code not in codes:
            codes.append(code)
    return codes
