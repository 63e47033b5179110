"""The sandbox's *live* mode: Amazon, the warehouse and Amazon's payables going on by themselves.

In production nobody presses a button between steps: Amazon keeps placing purchase orders and
changing or cancelling open ones, the warehouse picks and packs approved orders when it gets
to them, NetSuite bills what shipped, and Amazon pays by dropping remittance files, some of
them days after their payment date, now and then with a deduction code nobody mapped (that
payment must be held alone). `LiveSandbox.tick()` advances all of that by one step of
wall-clock time, acting directly on the sandbox's shared state (the same SQLite files every
process serving the sandbox reads), so the pipeline only ever sees it through the APIs and the
inbox, as it would in production. `vendor-pipelines soak` ticks it while the daemon runs.

Everything is drawn from a seeded RNG, and everything done is recorded in `LiveSandbox.events`
so a report can compare what happened with what the pipeline did.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from vendor_sandbox.amazon.generator import GeneratedOrders, df_order, rp_order
from vendor_sandbox.amazon.state import AmazonSandboxState
from vendor_sandbox.amazon_payments import write_remittances
from vendor_sandbox.netsuite.warehouse import advance_warehouse
from vendor_sandbox.store import SandboxStore
from vendor_sandbox.world import Scale, World, generate_world

# Kinds of change Amazon makes to an open RP purchase order.
CHANGES = ("quantity_down", "line_cancelled", "po_cancelled")


@dataclass
class LiveEvent:
    at: datetime
    kind: str  # rp_order | df_order | quantity_down | line_cancelled | po_cancelled | ...
    ref: str  # PO number, remittance file name, or a wave's counts
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class LiveCadence:
    """How often each actor acts, in seconds of wall-clock time."""

    new_orders_every: float = 30.0
    rp_orders_per_batch: int = 2
    df_orders_per_batch: int = 1
    change_every: float = 45.0
    warehouse_every: float = 10.0
    warehouse_delay: float = 20.0  # an approved order waits this long before it is picked
    pay_every: float = 30.0
    late_share: float = 0.4  # share of remittance files dated one day back
    unknown_code_every: int = 3  # every third payment carries a deduction code no rule knows


@dataclass
class LiveSandbox:
    state_dir: Path
    inbox: Path
    seed: int = 7
    scale: str = "tiny"
    regions: tuple[str, ...] = ("NA",)
    finance_timezone: str = "America/Los_Angeles"
    cadence: LiveCadence = field(default_factory=LiveCadence)
    events: list[LiveEvent] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.world: World = generate_world(self.seed, Scale.named(self.scale), self.regions)
        self.amazon_store = SandboxStore(self.state_dir / "amazon.sqlite")
        self.netsuite_store = SandboxStore(self.state_dir / "netsuite.sqlite")
        self.amazon = AmazonSandboxState(self.amazon_store, self.world)
        self.rng = random.Random(f"live:{self.seed}")
        self._last: dict[str, float] = {}

    def _due(self, actor: str, every: float, now: float) -> bool:
        last = self._last.get(actor)
        if last is not None and now - last < every:
            return False
        self._last[actor] = now
        return True

    def tick(self, now: datetime | None = None) -> list[LiveEvent]:
        """Let every actor whose turn it is act once; return what happened."""
        now = (now or datetime.now(UTC)).replace(microsecond=0)
        moment = now.timestamp()
        before = len(self.events)
        c = self.cadence
        if self._due("orders", c.new_orders_every, moment):
            self.place_orders(now, c.rp_orders_per_batch, c.df_orders_per_batch)
        if self._due("changes", c.change_every, moment) and moment - self._started(moment) > 1:
            self.change_an_order(now)
        if self._due("warehouse", c.warehouse_every, moment):
            made = advance_warehouse(
                self.netsuite_store, self.world, min_age_seconds=c.warehouse_delay
            )
            if made["fulfilments"]:
                self.events.append(LiveEvent(now, "warehouse_wave", "", made))
        if self._due("payments", c.pay_every, moment):
            self.pay(now)
        return self.events[before:]

    def _started(self, moment: float) -> float:
        return self._last.setdefault("started", moment)

    def place_orders(self, now: datetime, rp: int, df: int) -> GeneratedOrders:
        """New POs, available now (Amazon's createdAfter counts from when a PO is available)."""
        with self.amazon.write():
            used = self.amazon.order_numbers()
            batch = GeneratedOrders()
            start = now - timedelta(seconds=1)
            for _ in range(rp):
                order, meta = rp_order(self.world, self.rng, used, start, now)
                batch.rp_orders.append(order)
                batch.rp_meta[order["purchaseOrderNumber"]] = meta
            for _ in range(df):
                batch.df_orders.append(df_order(self.world, self.rng, used, start, now))
            self.amazon.insert_batch(batch)
        for order in batch.rp_orders:
            self.events.append(LiveEvent(now, "rp_order", order["purchaseOrderNumber"]))
        for order in batch.df_orders:
            self.events.append(LiveEvent(now, "df_order", order["purchaseOrderNumber"]))
        return batch

    def change_an_order(self, now: datetime) -> LiveEvent | None:
        """Amazon changes one open RP PO nothing has shipped against yet."""
        with self.amazon.write():
            candidates = sorted(
                po
                for po, doc in self.amazon.rp_orders().items()
                if doc["order"]["purchaseOrderState"] in ("New", "Acknowledged")
                and not any(line["shipped"] for line in doc["lines"].values())
                and sum(1 for i in doc["order"]["orderDetails"]["items"] if _amount(i) > 0) > 1
                and not doc["meta"].get("liveChange")
            )
            if not candidates:
                return None
            po = self.rng.choice(candidates)
            kind = self.rng.choice(CHANGES)
            doc = self.amazon.rp_orders()[po]
            detail = change_purchase_order(doc, kind, now, self.rng)
            self.amazon.save_rp(doc)
        event = LiveEvent(now, kind, po, detail)
        self.events.append(event)
        return event

    def pay(self, now: datetime) -> list[Path]:
        """Amazon pays accepted invoices; some files carry yesterday's payment date (late)."""
        today = now.astimezone(ZoneInfo(self.finance_timezone)).date()
        late = self.rng.random() < self.cadence.late_share
        payment_date: date = today - timedelta(days=1) if late else today
        files = write_remittances(
            self.amazon,
            self.inbox,
            payment_date,
            self.seed,
            unknown_code_every=self.cadence.unknown_code_every,
            warehouse=self.netsuite_store,
        )
        for path in files:
            self.events.append(
                LiveEvent(now, "remittance_file", path.name, {"payment_date": str(payment_date)})
            )
        return files


def _amount(item: dict[str, Any]) -> int:
    amount = item["orderedQuantity"]["amount"]
    return amount if isinstance(amount, int) else 0


def change_purchase_order(
    doc: dict[str, Any], kind: str, now: datetime, rng: random.Random
) -> dict[str, Any]:
    """Apply one of Amazon's changes to an RP PO document in place; return what changed.

    Amazon lowers a quantity or sets a line to zero (poItemState Cancelled), or cancels the
    whole PO (every line zero, state Closed), and dates the change (purchaseOrderChangedDate):
    vendors must fulfil the changed PO, not the original.
    """
    order = doc["order"]
    details = order["orderDetails"]
    open_items = [i for i in details["items"] if _amount(i) > 0]
    changed: dict[str, Any] = {}
    if kind == "po_cancelled":
        targets = {i["itemSequenceNumber"]: 0 for i in open_items}
        order["purchaseOrderState"] = "Closed"
    elif kind == "line_cancelled":
        targets = {rng.choice(open_items)["itemSequenceNumber"]: 0}
    else:
        item = max(open_items, key=_amount)
        targets = {item["itemSequenceNumber"]: max(1, _amount(item) // 2)}
    for item in details["items"]:
        seq = item["itemSequenceNumber"]
        if seq not in targets or targets[seq] == _amount(item):
            continue
        quantity = item["orderedQuantity"]
        size = quantity.get("unitSize") or 1 if quantity.get("unitOfMeasure") == "Cases" else 1
        changed[seq] = {"from": _amount(item), "to": targets[seq], "to_eaches": targets[seq] * size}
        line = doc["lines"][seq]
        line["cancelled"] += (_amount(item) - targets[seq]) * size
        line["ordered"] = targets[seq] * size
        quantity["amount"] = targets[seq]
    stamp = now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    details["purchaseOrderChangedDate"] = stamp
    if kind == "po_cancelled":
        details["purchaseOrderStateChangedDate"] = stamp
    doc["changedAt"] = doc["lastUpdated"] = stamp
    doc["meta"]["liveChange"] = {"kind": kind, "lines": changed, "at": stamp}
    return changed
