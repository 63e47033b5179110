"""Purchase orders Amazon's models forbid but real feeds carry: the sandbox's `bad_orders` option.

Amazon's order APIs are not always as tidy as their models: a PO whose two lines share an
`itemSequenceNumber`, a fractional or textual quantity, an absurd amount, a negative cost. The
pipeline must quarantine each of them with a reason and land the rest of the batch, pull after
pull (Amazon keeps returning the same PO). With `bad_orders` on, every batch of generated
orders gains one spoiled copy of a good order per defect below, under a new PO number; the
copies' defects are recorded (`GeneratedOrders.bad`) so tests know what to expect.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable
from typing import Any

from .generator import GeneratedOrders, po_number

Spoil = Callable[[dict[str, Any]], None]


def _items(order: dict[str, Any]) -> list[dict[str, Any]]:
    return order["orderDetails"]["items"]


def _quantity(amount: Any) -> Spoil:
    def spoil(order: dict[str, Any]) -> None:
        _items(order)[0]["orderedQuantity"]["amount"] = amount

    return spoil


def _duplicate_sequence(order: dict[str, Any]) -> None:
    items = _items(order)
    if len(items) == 1:
        items.append(copy.deepcopy(items[0]))
    items[1]["itemSequenceNumber"] = items[0]["itemSequenceNumber"]


def _negative_cost(order: dict[str, Any]) -> None:
    _items(order)[0]["netCost"]["amount"] = "-3.20"


# Defect name -> how it spoils an order, per program.
RP_DEFECTS: dict[str, Spoil] = {
    "duplicate_item_sequence": _duplicate_sequence,
    "fractional_quantity": _quantity(1.5),
    "text_quantity": _quantity("abc"),
    "huge_quantity": _quantity(1e30),
    "negative_net_cost": _negative_cost,
}
DF_DEFECTS: dict[str, Spoil] = {
    "duplicate_item_sequence": _duplicate_sequence,
    "zero_quantity": _quantity(0),
}


def add_bad_orders(batch: GeneratedOrders, used: set[str], salt: str) -> GeneratedOrders:
    """Add one spoiled copy of a good order of `batch` per defect (deterministic per salt)."""
    rng = random.Random(f"amazon-bad-orders:{salt}")
    for defects, orders in ((RP_DEFECTS, batch.rp_orders), (DF_DEFECTS, batch.df_orders)):
        if not orders:
            continue
        good = list(orders)
        for index, (defect, spoil) in enumerate(defects.items()):
            source = good[index % len(good)]
            order = copy.deepcopy(source)
            number = po_number(rng, used)
            order["purchaseOrderNumber"] = number
            spoil(order)
            orders.append(order)
            if defects is RP_DEFECTS:
                meta = copy.deepcopy(batch.rp_meta.get(source["purchaseOrderNumber"], {}))
                batch.rp_meta[number] = {**meta, "cancelled": {}}
            batch.bad[number] = defect
    return batch
