"""The simulated warehouse: picks, packs and ships approved Amazon sales orders, then bills them.

Each call to `advance_warehouse` is one *wave* of the simulated clock. In a wave every approved
sales order (orderStatus B) with open lines gets its next batch: an item fulfilment transformed
from the order (stock-limited, as NetSuite refuses to ship what is not on hand) with a `package`
sublist of cartons, then an invoice transformed from the order, which bills exactly that batch.

Defects are deterministic, not random: the n-th Amazon order of a program seen by the warehouse
gets scenario `SCENARIOS[program][n % len]`, recorded in the `netsuite.warehouse` collection so
tests can name what was seeded (`warehouse_plan`). Scenarios:

* `clean`             one batch, everything right (every third RP clean order is palletised);
* `bad_sscc`          the first carton's SSCC-18 has a wrong check digit;
* `missing_weight`    the first carton has no packageWeight;
* `two_batches`       half of each line in the first wave, the rest in the next;
* `short_pick`        one unit fewer than ordered on the first line that has two or more;
* `invoice_price_off` the clerk keyed a 5 % higher rate on the invoice's first line;
* `df_partial`        a Direct Fulfillment order shipped without its last unit.

Besides its scenario, every second clean RP order with a carton of two or more units (the first,
third, ...) has one carton packed a unit short (`short_packed`): the picker scanned N, so
NetSuite's fulfilment line, the carton contents, the ASN and the invoice all say N, but the
carton held N-1 and its packageWeight is the scale's reading of N-1 units. Nothing the pipeline
checks can see it before Amazon's fulfilment centre counts the carton (a right shortage claim);
the weight is the vendor's own evidence.

Billing terms (`warehouse_billing.bill_terms`): invoices of EU vendor codes carry 19 % VAT;
clean orders take turns at a freight charge and a 2 % header discount (a DF discount is a
defect: Amazon's DF invoice has no allowances).

Packages carry the standard fields (packageCartonNumber = carton SSCC-18, packageWeight in lb,
packageTrackingNumber, packageDescr) plus custom ones: dimensions in inches, the pallet SSCC and
the carton contents `custpackage_contents` ("orderLine:qty,orderLine:qty").
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from vendor_pipelines.amazon.sscc import make_sscc
from vendor_sandbox.netsuite.records.base import Books, Record, now_iso
from vendor_sandbox.netsuite.records.billing import Invoice, invoice_from_order
from vendor_sandbox.netsuite.records.fulfilment import (
    ItemFulfillment,
    fulfilment_from_order,
)
from vendor_sandbox.netsuite.warehouse_billing import bill_terms, misprice
from vendor_sandbox.store import SandboxStore
from vendor_sandbox.world import World

PLAN = "netsuite.warehouse"
OWED = "netsuite.warehouse.owed"
GS1_COMPANY_PREFIX = "0614141"  # GS1's own example company prefix
CARTON_UNITS = 12  # units of one order line per carton
KG_TO_LB = Decimal("2.20462")
TARE_LB = Decimal("0.5")  # an empty carton on the warehouse scale
SHORT_PACKED_EVERY = 2  # clean RP orders that can take it: the first, third, ... is packed short
SCENARIOS = {
    "RP": (
        "clean",
        "bad_sscc",
        "two_batches",
        "missing_weight",
        "short_pick",
        "invoice_price_off",
    ),
    "DF": ("clean", "df_partial", "clean"),
}
OPTIONS = {"enforce_stock": True}


def warehouse_plan(store: SandboxStore) -> list[dict[str, Any]]:
    """What the warehouse decided per sales order: scenario, batches, fulfilment/invoice ids."""
    return store.all(PLAN)


def advance_warehouse(
    store: SandboxStore, world: World, waves: int = 1, min_age_seconds: float = 0.0
) -> dict[str, int]:
    """Run `waves` waves; returns how many fulfilments and invoices were created.

    `min_age_seconds`: an order approved less than this long ago waits for a later wave, as a
    real warehouse gets to new orders after a while (the sandbox's live mode uses it).
    """
    created = {"fulfilments": 0, "invoices": 0}
    for _ in range(waves):
        for order_id in _open_order_ids(store, min_age_seconds):
            with store.transaction():
                books = Books(store, OPTIONS)
                made = _next_batch(books, world, order_id)
            created["fulfilments"] += made
            created["invoices"] += made
    return created


def _open_order_ids(store: SandboxStore, min_age_seconds: float = 0.0) -> list[str]:
    books = Books(store, OPTIONS)
    ready_by = datetime.now(UTC) - timedelta(seconds=min_age_seconds)
    ids = [
        str(order["id"])
        for order in books.all("salesOrder")
        if order.get("orderStatus", {}).get("id") == "B"
        and order.get("custbody_amazon_program") in SCENARIOS
        and order.get("status", {}).get("id") in ("B", "D", "E")
        and (not min_age_seconds or _last_modified(order) <= ready_by)
    ]
    return sorted(ids, key=int)


def _last_modified(order: Record) -> datetime:
    stamp = order.get("lastModifiedDate") or order.get("createdDate")
    if not stamp:
        return datetime.min.replace(tzinfo=UTC)
    moment = datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _plan_for(books: Books, order: Record) -> dict[str, Any]:
    plan = books.store.get(PLAN, str(order["id"]))
    if plan is None:
        program = order["custbody_amazon_program"]
        ordinal = int(books.next_id(f"warehouse.ordinal.{program}", 0))
        scenarios = SCENARIOS[program]
        scenario = _scenario_for(books, order, scenarios[ordinal % len(scenarios)])
        plan = {
            "salesOrder": str(order["id"]),
            "externalId": order.get("externalId"),
            "purchaseOrderNumber": order.get("otherRefNum"),
            "program": program,
            "scenario": scenario,
            "palletised": program == "RP" and scenario == "clean" and ordinal % 3 == 0,
            "batches": 0,
            "done": False,
            "fulfilments": [],
            "invoices": [],
            "defects": [],
        }
    return plan


# Defects that need more than one unit to happen; an order too small for its turn passes the
# defect on to the next order that can take it, so every seeded week has each of them.
NEEDS_TWO_UNITS = ("short_pick", "df_partial")


def _scenario_for(books: Books, order: Record, turn: str) -> str:
    quantities = [int(float(line["quantity"])) for line in order["item"]["items"]]
    can_split = any(q >= 2 for q in quantities) or (
        order["custbody_amazon_program"] == "DF" and len(quantities) >= 2
    )
    owed = [s for s in (books.store.get_meta(OWED) or "").split(",") if s]
    if turn in NEEDS_TWO_UNITS and not can_split:
        owed.append(turn)
        turn = "clean"
    elif turn == "clean" and can_split:
        mine = [s for s in owed if s in SCENARIOS[order["custbody_amazon_program"]]]
        if mine:
            turn = mine[0]
            owed.remove(turn)
    books.store.set_meta(OWED, ",".join(owed))
    return turn


def _next_batch(books: Books, world: World, order_id: str) -> int:
    order = books.get("salesOrder", order_id)
    if order is None:
        return 0
    plan = _plan_for(books, order)
    if plan["done"]:
        return 0
    picks = _picks(books, order, plan)
    if not picks:
        books.store.put(PLAN, order_id, plan)  # nothing on hand yet: try again next wave
        return 0
    batch = plan["batches"] + 1
    lines = {int(line["line"]): line for line in order["item"]["items"]}
    packages = _packages(books, world, lines, picks, plan, batch)
    body = {
        "externalId": f"wh-{order['externalId']}-b{batch}",
        "shipStatus": {"id": "C"},
        "memo": f"Amazon PO {order.get('otherRefNum')} batch {batch}",
        "custbody_amazon_po": order.get("otherRefNum"),
        "custbody_amazon_program": plan["program"],
        "custbody_amazon_vendor_code": order.get("custbody_amazon_vendor_code"),
        "item": {
            "items": [
                {"orderLine": number, "itemReceive": number in picks, "quantity": picks.get(number)}
                | {k: v for k, v in lines[number].items() if k.startswith("custcol")}
                for number in lines
            ]
        },
        "package": {"items": packages},
    }
    fulfilment = _save(books, ItemFulfillment(), fulfilment_from_order(books, order, body))
    order = books.get("salesOrder", order_id) or order
    invoice_body = {
        "externalId": f"inv-{order['externalId']}-b{batch}",
        "custbody_item_fulfillment": str(fulfilment["id"]),
    }
    invoice = _save(books, Invoice(), invoice_from_order(books, order, invoice_body))
    bill_terms(books, world, order, plan, invoice)
    if plan["scenario"] == "invoice_price_off" and batch == 1:
        misprice(books, invoice)
        plan["defects"].append({"kind": "invoice_price_off", "invoice": invoice["tranId"]})
    plan["batches"] = batch
    plan["done"] = plan["scenario"] != "two_batches" or batch >= 2
    plan["fulfilments"].append({"id": str(fulfilment["id"]), "tranId": fulfilment["tranId"]})
    plan["invoices"].append({"id": str(invoice["id"]), "tranId": invoice["tranId"]})
    books.store.put(PLAN, order_id, plan)
    return 1


def _picks(books: Books, order: Record, plan: dict[str, Any]) -> dict[int, int]:
    """Order line -> units picked this batch (never more than remains or is on hand)."""
    picks: dict[int, int] = {}
    for line in order["item"]["items"]:
        remaining = int(float(line["quantity"]) - float(line.get("quantityFulfilled", 0)))
        if line.get("isClosed") or remaining <= 0:
            continue
        location = str((line.get("location") or order.get("location") or {}).get("id"))
        on_hand = int(float(books.stock(str(line["item"]["id"]), location)["quantityOnHand"]))
        qty = min(remaining, max(on_hand, 0))
        if plan["scenario"] == "two_batches" and plan["batches"] == 0 and qty >= 2:
            qty = (qty + 1) // 2
        if qty > 0:
            picks[int(line["line"])] = qty
    scenario = plan["scenario"]
    if plan["batches"] == 0 and scenario in ("short_pick", "df_partial"):
        short = next((n for n, q in picks.items() if q >= 2), None)
        if scenario == "df_partial" and short is None and len(picks) >= 2:
            short = max(picks)
        if short is not None:
            picks[short] -= 1
            if not picks[short]:
                del picks[short]
            # What was actually picked: stock may already have capped the line below the order.
            plan["defects"].append(
                {"kind": scenario, "orderLine": short, "picked": picks.get(short, 0)}
            )
    return picks


def _packages(
    books: Books,
    world: World,
    lines: dict[int, Record],
    picks: dict[int, int],
    plan: dict[str, Any],
    batch: int,
) -> list[dict[str, Any]]:
    cartons: list[dict[str, Any]] = []
    unit_weights: dict[int, Decimal] = {}
    for number, qty in sorted(picks.items()):
        item = world.item_by_sku(lines[number]["item"].get("refName", "")) or _item_by_id(
            world, lines[number]["item"]["id"]
        )
        unit_kg = item.weight_kg if item else Decimal("1")
        unit_weights[number] = unit_kg
        left = qty
        while left > 0:
            units = min(left, CARTON_UNITS)
            left -= units
            weight_lb = _scale_weight(unit_kg, units)
            cartons.append(
                {
                    "packageCartonNumber": _sscc(books),
                    "packageWeight": float(weight_lb),
                    "packageTrackingNumber": _tracking(plan["externalId"], batch, len(cartons)),
                    "packageDescr": f"{units} x {lines[number]['item'].get('refName', '')}",
                    "custpackage_length_in": 16,
                    "custpackage_width_in": 12,
                    "custpackage_height_in": 10 if units > 6 else 6,
                    "custpackage_contents": f"{number}:{units}",
                }
            )
    if plan["palletised"] and cartons:
        pallet = _sscc(books)
        for carton in cartons:
            carton["custpackage_pallet_sscc"] = pallet
    first = cartons[0] if cartons and plan["batches"] == 0 else None
    if first is not None and plan["scenario"] == "bad_sscc":
        good = first["packageCartonNumber"]
        first["packageCartonNumber"] = good[:-1] + str((int(good[-1]) + 1) % 10)
        plan["defects"].append({"kind": "bad_sscc", "sscc": first["packageCartonNumber"]})
    if first is not None and plan["scenario"] == "missing_weight":
        del first["packageWeight"]
        plan["defects"].append({"kind": "missing_weight", "sscc": first["packageCartonNumber"]})
    if first is not None and plan["scenario"] == "clean" and plan["program"] == "RP":
        _short_pack(books, cartons, unit_weights, plan)
    return cartons


def _short_pack(
    books: Books,
    cartons: list[dict[str, Any]],
    unit_weights: dict[int, Decimal],
    plan: dict[str, Any],
) -> None:
    """Every second clean RP order that can take it (a carton of two or more units) has its
    first such carton packed one unit short; the records keep saying what the picker scanned."""
    carton = next((c for c in cartons if _carton_units(c)[1] >= 2), None)
    if carton is None:
        return
    if int(books.next_id("warehouse.short_packed.RP", 0)) % SHORT_PACKED_EVERY:
        return
    order_line, units = _carton_units(carton)
    carton["packageWeight"] = float(_scale_weight(unit_weights[order_line], units - 1))
    plan["defects"].append(
        {
            "kind": "short_packed",
            "sscc": carton["packageCartonNumber"],
            "orderLine": order_line,
            "missing": 1,
        }
    )


def _carton_units(carton: dict[str, Any]) -> tuple[int, int]:
    """(order line, units) of a carton's contents ("orderLine:qty"; one line per carton)."""
    line, units = carton["custpackage_contents"].split(",")[0].split(":")
    return int(line), int(units)


def _scale_weight(unit_kg: Decimal, units: int) -> Decimal:
    """What the warehouse scale reads for a carton: the goods in lb plus the carton's tare."""
    return (unit_kg * units * KG_TO_LB + TARE_LB).quantize(Decimal("0.1"))


def _item_by_id(world: World, item_id: Any):
    return next((i for i in world.items if str(i.netsuite_internal_id) == str(item_id)), None)


def _sscc(books: Books) -> str:
    serial = int(books.next_id("warehouse.sscc", 1))
    return make_sscc(0, GS1_COMPANY_PREFIX, serial)


def _tracking(external_id: str, batch: int, index: int) -> str:
    digest = hashlib.sha256(f"{external_id}:{batch}:{index}".encode()).hexdigest()
    return f"1Z{int(digest[:15], 16) % 10**16:016d}"


def _save(books: Books, kind: Any, draft: Record) -> Record:
    record = {"id": kind.new_id(books), "createdDate": now_iso()} | draft
    books.put(kind.name, record)
    return record
