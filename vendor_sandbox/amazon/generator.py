"""Deterministic Amazon order data from the shared `World` (same seed -> same orders).

Retail Procurement purchase orders and Direct Fulfillment orders are generated in the official
payload shapes, dated over `scale.days` days ending at an *anchor* time (the moment the sandbox
was first seeded, kept in the store so every process agrees). The data carries the situations
later pipelines must handle, at fixed, test-visible rates:

* ship windows already closed (older orders) and still open (recent ones); some POs use a
  delivery window (vendor-paid freight) instead of a ship window;
* backorder-allowed lines; quantities in `Cases` (with `unitSize`) as well as `Eaches`;
* lines cancelled by Amazon (quantity set to zero, `purchaseOrderChangedDate` set) and lines
  reduced after creation;
* price mismatches: items in `world.price_mismatch_skus` carry their (different) Amazon cost;
* unknown ASINs (`world.unknown_asins`) that no NetSuite item maps;
* DF orders shipping from `world.unmapped_warehouse`, gift orders, customer cancellations.
"""

from __future__ import annotations

import json
import random
import string
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from vendor_pipelines.amazon.models import df_orders as df_models
from vendor_pipelines.amazon.models import orders as rp_models
from vendor_pipelines.amazon.models.common import format_datetime
from vendor_sandbox.world import FULFILMENT_CENTRES, Item, World

CENT = Decimal("0.01")

SHIP_METHODS = (
    ("UPS_GR_RES", False),
    ("UPS_2ND", True),
    ("FEDEX_GROUND", False),
    ("USPS_PRIORITY", False),
    ("AMZL_US_STD", False),
)
FIRST_NAMES = ("Alex", "Sam", "Jordan", "Taylor", "Morgan", "Casey", "Riley", "Jamie", "Avery")
LAST_NAMES = ("Nguyen", "Garcia", "Smith", "Johnson", "Brown", "Lee", "Martinez", "Clark")
STREETS = ("Maple Ave", "Oak St", "Pine Rd", "Cedar Ln", "Elm St", "Lakeview Dr", "Hill Rd")
CITIES = (
    ("Seattle", "WA", "981"),
    ("Austin", "TX", "787"),
    ("Denver", "CO", "802"),
    ("Columbus", "OH", "432"),
    ("Raleigh", "NC", "276"),
    ("Phoenix", "AZ", "850"),
    ("Portland", "OR", "972"),
)
DF_MESSAGE = (
    "This shipment completes your order. You can always check the status of your orders from "
    'the "Your Account" link at the top of each page of our site. Thank you for shopping at '
    "Amazon.com"
)


def iso(value: datetime) -> str:
    return format_datetime(value.replace(microsecond=0))


def money(amount: Decimal, currency: str = "USD") -> dict[str, str]:
    return {"currencyCode": currency, "amount": str(amount.quantize(CENT))}


@dataclass
class GeneratedOrders:
    rp_orders: list[dict[str, Any]] = field(default_factory=list)  # Order JSON
    rp_meta: dict[str, dict[str, Any]] = field(default_factory=dict)  # PO -> sandbox facts
    df_orders: list[dict[str, Any]] = field(default_factory=list)  # DF Order JSON
    bad: dict[str, str] = field(default_factory=dict)  # PO -> defect, for `bad_orders` only


def po_number(rng: random.Random, used: set[str]) -> str:
    alphabet = string.ascii_uppercase + string.digits
    while True:
        # Real POs are 8 alphanumerics, starting with a digit or letter.
        candidate = "".join(rng.choices(alphabet, k=8))
        if candidate not in used and not candidate.isdigit():
            used.add(candidate)
            return candidate


def _upc(rng: random.Random) -> str:
    body = [rng.randrange(10) for _ in range(11)]
    odd = sum(body[0::2]) * 3 + sum(body[1::2])
    return "".join(map(str, body)) + str((10 - odd % 10) % 10)


def _at(day: datetime, hour: int) -> datetime:
    return datetime.combine(day.date(), time(hour, 0), tzinfo=UTC)


def generate_orders(
    world: World,
    anchor: datetime,
    *,
    days: int | None = None,
    first_day_offset: int = 0,
    used_numbers: set[str] | None = None,
    salt: str = "",
) -> GeneratedOrders:
    """All RP and DF orders for `days` days ending at `anchor` (deterministic per world+salt)."""
    scale = world.scale
    days = scale.days if days is None else days
    rng = random.Random(f"amazon-orders:{world.seed}:{salt}")
    used = used_numbers if used_numbers is not None else set()
    out = GeneratedOrders()
    anchor = anchor.astimezone(UTC).replace(microsecond=0)
    for day in range(days):
        day_start = anchor - timedelta(days=days - day)
        for _ in range(scale.purchase_orders_per_day):
            order, meta = rp_order(world, rng, used, day_start, anchor)
            out.rp_orders.append(order)
            out.rp_meta[order["purchaseOrderNumber"]] = meta
        for _ in range(scale.df_orders_per_day):
            out.df_orders.append(df_order(world, rng, used, day_start, anchor))
    return out


def rp_order(
    world: World,
    rng: random.Random,
    used: set[str],
    day_start: datetime,
    anchor: datetime,
) -> tuple[dict[str, Any], dict[str, Any]]:
    scale = world.scale
    created = min(day_start + timedelta(seconds=rng.uniform(0, 86_399)), anchor)
    created = created.replace(microsecond=0)
    vendor = world.vendors[rng.randrange(len(world.vendors))]
    fc = rng.choice(FULFILMENT_CENTRES)
    po_type = rng.choices(
        ("RegularOrder", "RushOrder", "NewProductIntroduction"), weights=(85, 9, 6)
    )[0]
    window_start = _at(created + timedelta(days=rng.randint(1, 3)), 7)
    window_end = window_start + timedelta(days=rng.randint(3, 6))
    vendor_paid_freight = rng.random() < 0.2
    line_count = max(1, min(len(world.items), round(rng.gauss(scale.lines_per_order, 1.2))))
    chosen: list[Item | None] = list(rng.sample(world.items, line_count))
    unknown_asin = None
    if world.unknown_asins and rng.random() < 1 / 12:
        unknown_asin = rng.choice(world.unknown_asins)
        chosen[rng.randrange(len(chosen))] = None
    items: list[dict[str, Any]] = []
    for position, item in enumerate(chosen, start=1):
        if item is None:
            asin, vpi = unknown_asin, _upc(rng)
            cost = Decimal(str(round(rng.uniform(5, 120), 2)))
            list_price = (cost * Decimal("1.5")).quantize(CENT)
            case_pack = rng.choice((1, 6))
        else:
            asin, vpi = item.asin, item.upc
            cost, list_price, case_pack = item.amazon_net_cost, item.list_price, item.case_pack
        if case_pack > 1 and rng.random() < 0.15:
            quantity = {
                "amount": rng.randint(1, 8),
                "unitOfMeasure": "Cases",
                "unitSize": case_pack,
            }
        else:
            quantity = {
                "amount": case_pack * rng.randint(1, 10),
                "unitOfMeasure": "Eaches",
                "unitSize": 1,
            }
        items.append(
            {
                "itemSequenceNumber": str(position),
                "amazonProductIdentifier": asin,
                "vendorProductIdentifier": vpi,
                "orderedQuantity": quantity,
                "isBackOrderAllowed": rng.random() < 0.3,
                "netCost": money(cost, vendor.currency),
                "listPrice": money(list_price, vendor.currency),
            }
        )
    po = po_number(rng, used)
    details: dict[str, Any] = {
        "purchaseOrderDate": iso(created),
        "purchaseOrderStateChangedDate": iso(created),
        "purchaseOrderType": po_type,
        "paymentMethod": "Invoice",
        "buyingParty": {"partyId": fc},
        "sellingParty": {"partyId": vendor.vendor_code},
        "shipToParty": {"partyId": fc},
        "billToParty": {"partyId": "AMAZON_US"},
        "items": items,
    }
    window = f"{iso(window_start)}--{iso(window_end)}"
    details["deliveryWindow" if vendor_paid_freight else "shipWindow"] = window
    cancelled: dict[str, int] = {}
    changed_at = None
    roll = rng.random()
    if roll < 0.08 and len(items) > 1:
        # Amazon cancelled one line: quantity set to zero.
        line = rng.choice(items)
        cancelled[line["itemSequenceNumber"]] = line["orderedQuantity"]["amount"]
        line["orderedQuantity"] = {**line["orderedQuantity"], "amount": 0}
        changed_at = created + timedelta(hours=rng.randint(1, 30))
    elif roll < 0.14:
        # Amazon reduced a line after creation (the vendor must fulfil the changed version).
        line = rng.choice(items)
        before = line["orderedQuantity"]["amount"]
        if before > 1:
            after = max(1, before // 2)
            cancelled[line["itemSequenceNumber"]] = before - after
            line["orderedQuantity"] = {**line["orderedQuantity"], "amount": after}
            changed_at = created + timedelta(hours=rng.randint(1, 30))
    if changed_at is not None:
        changed_at = max(created, min(changed_at, anchor - timedelta(minutes=1)))
        details["purchaseOrderChangedDate"] = iso(changed_at)
    order = {"purchaseOrderNumber": po, "purchaseOrderState": "New", "orderDetails": details}
    meta = {
        "cancelled": cancelled,
        "unknownAsin": unknown_asin,
        "vendorPaidFreight": vendor_paid_freight,
    }
    return order, meta


def df_order(
    world: World,
    rng: random.Random,
    used: set[str],
    day_start: datetime,
    anchor: datetime,
) -> dict[str, Any]:
    created = min(day_start + timedelta(seconds=rng.uniform(0, 86_399)), anchor)
    created = created.replace(microsecond=0)
    vendor = world.vendors[rng.randrange(len(world.vendors))]
    mapped = world.mapped_warehouses or world.warehouses
    warehouse = world.unmapped_warehouse if rng.random() < 0.12 else rng.choice(mapped)
    ship_method, priority = rng.choice(SHIP_METHODS)
    required_ship = _at(created + timedelta(days=rng.randint(1, 2)), 23)
    promised = required_ship + timedelta(days=rng.randint(2, 5))
    city, state, zip3 = rng.choice(CITIES)
    name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    lines = rng.choices((1, 2, 3), weights=(70, 22, 8))[0]
    items: list[dict[str, Any]] = []
    for position, item in enumerate(rng.sample(world.items, min(lines, len(world.items))), 1):
        quantity = rng.choices((1, 2, 3), weights=(80, 15, 5))[0]
        if world.unknown_asins and rng.random() < 1 / 20:
            asin, vpi, title = rng.choice(world.unknown_asins), _upc(rng), "Unlisted product"
            price = Decimal(str(round(rng.uniform(5, 90), 2)))
        else:
            asin, vpi, title, price = item.asin, item.sku, item.name, item.amazon_net_cost
        items.append(
            {
                "itemSequenceNumber": f"{position:05d}",
                "buyerProductIdentifier": asin,
                "vendorProductIdentifier": vpi,
                "title": title,
                "orderedQuantity": {"amount": quantity, "unitOfMeasure": "Each"},
                "netPrice": money(price, vendor.currency),
                "totalPrice": money(price * quantity, vendor.currency),
            }
        )
    is_gift = rng.random() < 0.06
    if is_gift:
        items[0]["giftDetails"] = {"giftMessage": "Happy birthday!", "giftWrapId": "GW-STD"}
    status = "CANCELLED" if rng.random() < 0.04 else "NEW"
    customer_order = (
        f"{rng.randint(111, 114)}-{rng.randint(1_000_000, 9_999_999)}-"
        f"{rng.randint(1_000_000, 9_999_999)}"
    )
    return {
        "purchaseOrderNumber": po_number(rng, used),
        "orderDetails": {
            "customerOrderNumber": customer_order,
            "orderDate": iso(created),
            "orderStatus": status,
            "shipmentDetails": {
                "isPriorityShipment": priority,
                "isScheduledDeliveryShipment": False,
                "isPslipRequired": rng.random() < 0.5,
                "isGift": is_gift,
                "shipMethod": ship_method,
                "shipmentDates": {
                    "requiredShipDate": iso(required_ship),
                    "promisedDeliveryDate": iso(promised),
                },
                "messageToCustomer": DF_MESSAGE,
            },
            "sellingParty": {"partyId": vendor.vendor_code},
            "shipFromParty": {"partyId": warehouse.party_id},
            "shipToParty": {
                "name": name,
                "addressLine1": f"{rng.randint(10, 9999)} {rng.choice(STREETS)}",
                "city": city,
                "stateOrRegion": state,
                "postalCode": f"{zip3}{rng.randint(10, 99)}",
                "countryCode": "US",
                "phone": f"+1 206-555-{rng.randint(1000, 9999)}",
            },
            "billToParty": {"partyId": "AMAZON_US"},
            "items": items,
        },
    }


# --- scenario fixtures ------------------------------------------------------------------------


class FixtureError(ValueError):
    pass


def load_fixtures(directory: Path) -> GeneratedOrders:
    """Orders from a directory of JSON files in the official payload shapes.

    Each `*.json` file (searched recursively) may hold one order, a list of orders, a
    getPurchaseOrders / getPurchaseOrder response (`{"payload": ...}`) or a DF getOrders /
    getOrder response. RP orders are told from DF orders by their fields
    (`purchaseOrderState` / `purchaseOrderDate` vs `customerOrderNumber`). Every order is
    validated with the client's models; a bad file raises `FixtureError` naming file and field.
    """
    out = GeneratedOrders()
    directory = Path(directory)
    if not directory.is_dir():
        raise FixtureError(f"fixtures directory {directory} does not exist")
    for path in sorted(directory.rglob("*.json")):
        try:
            data = json.loads(path.read_text())
        except ValueError as exc:
            raise FixtureError(f"{path}: not JSON ({exc})") from None
        for index, order in enumerate(_orders_in(data)):
            where = f"{path.name}[{index}]"
            details = order.get("orderDetails") or {}
            try:
                if "customerOrderNumber" in details:
                    df_models.DfOrder.model_validate(order)
                    out.df_orders.append(order)
                else:
                    parsed = rp_models.Order.model_validate(order)
                    if parsed.orderDetails is None:
                        raise FixtureError(f"{where}: RP order without orderDetails")
                    order.setdefault("purchaseOrderState", "New")
                    details.setdefault(
                        "purchaseOrderStateChangedDate", details.get("purchaseOrderDate")
                    )
                    out.rp_orders.append(order)
                    out.rp_meta[order["purchaseOrderNumber"]] = {"cancelled": {}, "fixture": True}
            except FixtureError:
                raise
            except Exception as exc:  # pydantic ValidationError: name the field
                errors = getattr(exc, "errors", None)
                if callable(errors):
                    first = errors()[0]
                    loc = ".".join(str(p) for p in first["loc"])
                    raise FixtureError(f"{where}: {loc}: {first['msg']}") from None
                raise FixtureError(f"{where}: {exc}") from None
    return out


def _orders_in(data: Any) -> list[dict[str, Any]]:
    if isinstance(data, list):
        return [o for item in data for o in _orders_in(item)]
    if not isinstance(data, dict):
        raise FixtureError("fixture JSON must be an object or a list of objects")
    if "payload" in data:
        return _orders_in(data["payload"])
    if "orders" in data and isinstance(data["orders"], list):
        return [o for o in data["orders"] if isinstance(o, dict)]
    if "purchaseOrderNumber" in data:
        return [data]
    raise FixtureError("fixture JSON holds no purchase order")
