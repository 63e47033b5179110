"""The simulated Amazon's state, kept in the shared `SandboxStore` (collections `amazon.*`).

Every process serving the same state file sees the same purchase orders, transactions and
reports: reads go through a cache invalidated by a version stamp in the store's meta table, and
every read-modify-write runs inside `store.transaction()` (BEGIN IMMEDIATE).

Also the inspection API for tests and later pipelines (`received`, `transactions`, ...): what
Amazon received, per kind and purchase order.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from vendor_sandbox.store import SandboxStore
from vendor_sandbox.world import World

from .bad_orders import add_bad_orders
from .generator import GeneratedOrders, generate_orders, iso, load_fixtures

RP_ORDERS = "amazon.rp_orders"
DF_ORDERS = "amazon.df_orders"
TRANSACTIONS = "amazon.transactions"
RECEIVED = "amazon.received"
SUBMISSIONS = "amazon.submissions"
ASNS = "amazon.shipment_confirmations"
TRANSPORT = "amazon.shipments"
INVOICES = "amazon.invoices"
DF_INVOICES = "amazon.df_invoices"
DF_LABELS = "amazon.df_labels"
DF_INVENTORY = "amazon.df_inventory"
# Amazon's accounts payable (vendor_sandbox.amazon_claims): the claims it took, the disputes it
# received, and the credit notes that settled a claim.
CLAIMS = "amazon.claims"
DISPUTES = "amazon.disputes"
CREDIT_NOTES = "amazon.credit_notes"
REPORTS = "amazon.reports"
TOKENS = "amazon.tokens"

META_VERSION = "amazon.version"
META_ANCHOR = "amazon.anchor"
META_SEEDED = "amazon.seeded"
META_BAD_ORDERS = "amazon.bad_orders"

RECEIVED_KINDS = (
    "rp_acknowledgements",
    "rp_shipment_confirmations",
    "rp_shipments",
    "rp_invoices",
    "df_acknowledgements",
    "df_shipment_confirmations",
    "df_shipment_status_updates",
    "df_shipping_label_requests",
    "df_inventory_updates",
    "df_invoices",
)


def now_utc() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    dt = datetime.fromisoformat(value)
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def _whole(value: Any, default: int) -> int:
    """A whole number from a payload, or `default` for the corrupt amounts of bad orders."""
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        return default
    return int(value)


def eaches(quantity: dict[str, Any] | None) -> int:
    if not quantity:
        return 0
    amount = _whole(quantity.get("amount") or 0, 0)
    if str(quantity.get("unitOfMeasure", "")).casefold() in ("cases", "case"):
        return amount * _whole(quantity.get("unitSize") or 1, 1)
    return amount


def canonical_hash(body: Any) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


class AmazonSandboxState:
    """State access, seeding and inspection for one store (shared across processes).

    With a `region`, this is one regional host's view: its order listings and lookups see only
    the purchase orders of that region's vendor codes (another region's PO is unknown here, as
    on Amazon), while seeding and inspection still cover the whole store.
    """

    def __init__(
        self,
        store: SandboxStore,
        world: World,
        *,
        resolution_delay: float = 0.0,
        report_delay: float = 0.0,
        region: str | None = None,
        bad_orders: bool = False,
    ) -> None:
        self.store = store
        self.world = world
        self.region = region
        self.bad_orders = bad_orders
        self._region_vendors = world.vendor_codes_in(region) if region else None
        self._regional: tuple[object, dict[str, dict[str, Any]], dict[str, dict[str, Any]]] = (
            None,
            {},
            {},
        )
        self.resolution_delay = resolution_delay
        self.report_delay = report_delay
        self._lock = threading.RLock()
        self._version: str | None = None
        self._rp: dict[str, dict[str, Any]] = {}
        self._df: dict[str, dict[str, Any]] = {}
        self._token_cache: dict[str, tuple[float, str]] = {}

    # --- seeding ----------------------------------------------------------------------------

    def ensure_seeded(
        self,
        *,
        generate: bool = True,
        fixtures_dir: Path | None = None,
        anchor: datetime | None = None,
    ) -> None:
        """On first start with an empty store: generate orders and load scenario fixtures."""
        with self.store.transaction():
            if self.store.get_meta(META_SEEDED):
                return
            anchor = (anchor or now_utc()).astimezone(UTC).replace(microsecond=0)
            self.store.set_meta(META_ANCHOR, iso(anchor))
            batch = GeneratedOrders()
            if generate:
                batch = generate_orders(self.world, anchor)
            if self.bad_orders:
                used = {o["purchaseOrderNumber"] for o in batch.rp_orders + batch.df_orders}
                add_bad_orders(batch, used, salt=f"{self.world.seed}:seed")
            if fixtures_dir is not None:
                fixtures = load_fixtures(Path(fixtures_dir))
                batch.rp_orders.extend(fixtures.rp_orders)
                batch.rp_meta.update(fixtures.rp_meta)
                batch.df_orders.extend(fixtures.df_orders)
            self.insert_batch(batch)
            self.store.set_meta(META_SEEDED, iso(now_utc()))
            self._bump()

    def advance(self, days: int = 1) -> GeneratedOrders:
        """Let time pass: generate `days` more days of orders ending now (new POs appear)."""
        with self.write():
            used = set(self._rp) | set(self._df)
            batch = generate_orders(
                self.world,
                now_utc(),
                days=days,
                used_numbers=used,
                salt=f"advance:{len(used)}",
            )
            if self.bad_orders:
                add_bad_orders(batch, used, salt=f"{self.world.seed}:advance:{len(used)}")
            self.insert_batch(batch)
            return batch

    def add_df_orders(self, orders: list[dict[str, Any]]) -> None:
        with self.write():
            self.insert_batch(GeneratedOrders(df_orders=orders))

    def insert_batch(self, batch: GeneratedOrders) -> None:
        """Store generated orders (inside `write()`, or a store transaction, by the caller)."""
        if batch.bad:
            self.store.set_meta(
                META_BAD_ORDERS, json.dumps({**self.bad_order_defects(), **batch.bad})
            )
        rows = []
        for order in batch.rp_orders:
            doc = new_rp_doc(order, batch.rp_meta.get(order["purchaseOrderNumber"], {}))
            rows.append((order["purchaseOrderNumber"], doc))
            self._rp[order["purchaseOrderNumber"]] = doc
        for key, doc in rows:
            self.store.put(RP_ORDERS, key, doc)
        for order in batch.df_orders:
            doc = new_df_doc(order)
            self.store.put(DF_ORDERS, order["purchaseOrderNumber"], doc)
            self._df[order["purchaseOrderNumber"]] = doc

    def bad_order_defects(self) -> dict[str, str]:
        """PO number -> defect of every spoiled order the `bad_orders` option added."""
        return json.loads(self.store.get_meta(META_BAD_ORDERS) or "{}")

    @property
    def anchor(self) -> datetime:
        value = self.store.get_meta(META_ANCHOR)
        return parse_time(value) or now_utc()

    # --- cache / writes ---------------------------------------------------------------------

    def _bump(self) -> None:
        self._version = uuid.uuid4().hex
        self.store.set_meta(META_VERSION, self._version)

    def _refresh(self) -> None:
        current = self.store.get_meta(META_VERSION)
        if current != self._version or current is None:
            self._rp = {d["order"]["purchaseOrderNumber"]: d for d in self.store.all(RP_ORDERS)}
            self._df = {d["order"]["purchaseOrderNumber"]: d for d in self.store.all(DF_ORDERS)}
            self._version = current

    @contextmanager
    def write(self) -> Iterator[AmazonSandboxState]:
        """A cross-process read-modify-write: fresh cache, then a version bump on success."""
        with self._lock, self.store.transaction():
            self._refresh()
            try:
                yield self
            except BaseException:
                self._version = None  # force a reload: in-memory edits may be half done
                raise
            self._bump()

    def rp_orders(self) -> dict[str, dict[str, Any]]:
        with self._lock:
            self._refresh()
            return self._regional_view()[0]

    def df_orders(self) -> dict[str, dict[str, Any]]:
        with self._lock:
            self._refresh()
            return self._regional_view()[1]

    def order_numbers(self) -> set[str]:
        """Every PO number in the store, all regions (new numbers must avoid them all)."""
        with self._lock:
            self._refresh()
            return set(self._rp) | set(self._df)

    def _regional_view(self) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
        vendors = self._region_vendors
        if vendors is None:
            return self._rp, self._df
        # Recomputed when the store changed (new version) or orders were added in this write.
        stamp = (self._version, len(self._rp), len(self._df))
        if self._regional[0] != stamp:
            rp = {k: d for k, d in self._rp.items() if d["vendor"] in vendors}
            df = {k: d for k, d in self._df.items() if d["vendor"] in vendors}
            self._regional = (stamp, rp, df)
        return self._regional[1], self._regional[2]

    def save_rp(self, doc: dict[str, Any]) -> None:
        po = doc["order"]["purchaseOrderNumber"]
        self._rp[po] = doc
        self.store.put(RP_ORDERS, po, doc)

    def save_df(self, doc: dict[str, Any]) -> None:
        po = doc["order"]["purchaseOrderNumber"]
        self._df[po] = doc
        self.store.put(DF_ORDERS, po, doc)

    # --- access tokens ----------------------------------------------------------------------

    def issue_token(self, lifetime: float, region: str = "NA") -> str:
        """An access token for the authorization of one region (tokens are not portable)."""
        token = "Atza|" + uuid.uuid4().hex + uuid.uuid4().hex
        expires = time.time() + lifetime
        for doc in self.store.all(TOKENS):  # forget long-expired tokens
            if float(doc["expiresAt"]) < time.time() - 3600:
                self.store.delete(TOKENS, doc["token"])
        self.store.put(TOKENS, token, {"token": token, "expiresAt": expires, "region": region})
        self._token_cache[token] = (expires, region)
        return token

    def token_grant(self, token: str) -> tuple[float, str] | None:
        """(expiry, region) of an issued access token, or None when it was never issued."""
        grant = self._token_cache.get(token)
        if grant is None:
            doc = self.store.get(TOKENS, token)
            if doc is None:
                return None
            grant = (float(doc["expiresAt"]), doc.get("region", "NA"))
            self._token_cache[token] = grant
        return grant

    def revoke_tokens(self) -> None:
        """Invalidate every issued access token (tests: force the client to refresh)."""
        with self.store.transaction():
            for doc in self.store.all(TOKENS):
                self.store.delete(TOKENS, doc["token"])
        self._token_cache.clear()

    # --- transactions -----------------------------------------------------------------------

    def new_transaction(
        self,
        api: str,
        kind: str,
        errors: list[dict[str, str]],
        *,
        request_id: str | None = None,
        resolve_after: float | None = None,
    ) -> dict[str, Any]:
        stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        uid = str(uuid.uuid4())
        transaction_id = f"{stamp}-{uid}" if api == "rp" else f"{uid}-{stamp}"
        delay = self.resolution_delay if resolve_after is None else resolve_after
        doc = {
            "transactionId": transaction_id,
            "api": api,
            "kind": kind,
            "submittedAt": iso(now_utc()),
            "resolveAt": time.time() + delay,
            "outcome": "Failure" if errors else "Success",
            "errors": errors,
            "requestId": request_id,
        }
        self.store.put(TRANSACTIONS, transaction_id, doc)
        return doc

    def transaction(self, transaction_id: str) -> dict[str, Any] | None:
        return self.store.get(TRANSACTIONS, transaction_id)

    @staticmethod
    def transaction_status(doc: dict[str, Any]) -> str:
        return doc["outcome"] if time.time() >= float(doc["resolveAt"]) else "Processing"

    def transactions(self, kind: str | None = None) -> list[dict[str, Any]]:
        docs = self.store.all(TRANSACTIONS)
        return [d for d in docs if kind is None or d["kind"] == kind]

    # --- what Amazon received ---------------------------------------------------------------

    def record_received(
        self,
        kind: str,
        transaction_id: str,
        items: list[tuple[str, dict[str, Any], list[str]]],
        duplicate_of: str | None = None,
    ) -> None:
        """Log each submitted document: `ref` (its own id) and `refs` (the POs it touches)."""
        received_at = iso(now_utc())
        for index, (ref, body, refs) in enumerate(items):
            self.store.put(
                RECEIVED,
                f"{kind}:{transaction_id}:{index}",
                {
                    "kind": kind,
                    "transactionId": transaction_id,
                    "ref": ref,
                    "refs": sorted(set(refs)),
                    "receivedAt": received_at,
                    "duplicateOf": duplicate_of,
                    "region": self.region or "NA",
                    "body": body,
                },
            )

    def received(self, kind: str | None = None, ref: str | None = None) -> list[dict[str, Any]]:
        """Everything submitted to the simulated Amazon, oldest first.

        `kind` is one of `RECEIVED_KINDS`; `ref` is the purchase order number (acks, ASN
        lines, DF documents), the invoice id or the warehouse id. Each entry has
        `transactionId`, `ref`, `receivedAt`, `duplicateOf` and the submitted `body`.
        """
        if kind is not None and kind not in RECEIVED_KINDS:
            raise ValueError(f"unknown kind {kind!r}; choose one of {RECEIVED_KINDS}")
        out = []
        for entry in self.store.all(RECEIVED):
            if kind is not None and entry["kind"] != kind:
                continue
            if ref is not None and entry["ref"] != ref and ref not in entry.get("refs", []):
                continue
            out.append(entry)
        return out

    def received_count(self, kind: str, ref: str | None = None) -> int:
        return len(self.received(kind, ref))

    def find_submission(self, body_hash: str) -> dict[str, Any] | None:
        return self.store.get(SUBMISSIONS, body_hash)

    def remember_submission(self, body_hash: str, transaction: dict[str, Any]) -> None:
        self.store.put(
            SUBMISSIONS,
            body_hash,
            {"transactionId": transaction["transactionId"], "outcome": transaction["outcome"]},
        )

    # --- convenience views for tests and demos --------------------------------------------

    def purchase_order_state(self, po: str) -> str | None:
        doc = self.rp_orders().get(po)
        return doc["order"]["purchaseOrderState"] if doc else None

    def df_order_status(self, po: str) -> str | None:
        doc = self.df_orders().get(po)
        return doc["order"]["orderDetails"].get("orderStatus") if doc else None


def new_rp_doc(order: dict[str, Any], meta: dict[str, Any]) -> dict[str, Any]:
    details = order["orderDetails"]
    created = details["purchaseOrderDate"]
    changed = details.get("purchaseOrderChangedDate") or created
    cancelled = meta.get("cancelled", {})
    lines = {}
    for item in details["items"]:
        seq = item["itemSequenceNumber"]
        ordered = eaches(item["orderedQuantity"])
        unit = item["orderedQuantity"]
        size = _whole(unit.get("unitSize") or 1, 1) if unit.get("unitOfMeasure") == "Cases" else 1
        lines[seq] = {
            "ordered": ordered,
            "cancelled": int(cancelled.get(seq, 0)) * size,
            "accepted": 0,
            "backordered": 0,
            "rejected": 0,
            "acknowledged": False,
            "rejectedFinal": False,
            "ackHistory": [],
            "shipped": 0,
            "received": 0,
            "lastReceiveDate": None,
            "invoiced": 0,
        }
    return {
        "order": order,
        "vendor": details.get("sellingParty", {}).get("partyId"),
        "createdAt": created,
        "changedAt": max(changed, details.get("purchaseOrderStateChangedDate") or created),
        "lastUpdated": changed,
        "lines": lines,
        "meta": meta,
    }


def new_df_doc(order: dict[str, Any]) -> dict[str, Any]:
    details = order["orderDetails"]
    details.setdefault("orderStatus", "NEW")
    return {
        "order": order,
        "vendor": details["sellingParty"]["partyId"],
        "shipFrom": details["shipFromParty"]["partyId"],
        "createdAt": details["orderDate"],
        "acknowledgement": None,
        "shipment": None,
        "statusUpdates": [],
        "invoiced": {},
        "labelCreatedAt": None,
    }


def time_in(value: str | None, after: datetime | None, before: datetime | None) -> bool:
    moment = parse_time(value)
    if moment is None:
        return after is None and before is None
    if after is not None and moment < after:
        return False
    return not (before is not None and moment > before)


def days_ago(days: float) -> datetime:
    return now_utc() - timedelta(days=days)


Predicate = Callable[[dict[str, Any]], bool]
