"""Shared pieces of the submission rules: error shape, the atomic `submit`, line lookups.

Every `rules_*` module builds on these; `rules` re-exports them for the app.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from .state import AmazonSandboxState, canonical_hash

TOLERANCE = Decimal("0.01")
ErrorDict = dict[str, str]
Evaluation = tuple[list[ErrorDict], Callable[[], None]]


def err(code: str, message: str, details: str = "") -> ErrorDict:
    return {"code": code, "message": message, "details": details}


def rp_order_of(
    orders: dict[str, dict[str, Any]],
    po: str | None,
    errors: list[ErrorDict],
    where: str,
    missing: str,
) -> dict[str, Any] | None:
    """The stored RP purchase order a submitted item names, or None with the error recorded:
    MISSING_PURCHASE_ORDER (`missing` says where it should be) or INVALID_ORDER_ID."""
    if not po:
        errors.append(err("MISSING_PURCHASE_ORDER", missing, where))
        return None
    doc = orders.get(po)
    if doc is None:
        errors.append(err("INVALID_ORDER_ID", f"Purchase order {po} does not exist.", where))
    return doc


def submit(
    state: AmazonSandboxState,
    kind: str,
    api: str,
    raw: dict[str, Any],
    refs: list[tuple[str, dict[str, Any], list[str]]],
    evaluate: Callable[[], Evaluation],
    request_id: str | None,
    salt: str = "",
) -> dict[str, Any]:
    """Run one submission atomically; return the new transaction document."""
    body_hash = canonical_hash({"kind": kind, "salt": salt, "body": raw})
    with state.write():
        previous = state.find_submission(body_hash)
        if previous and previous["outcome"] == "Success":
            txn = state.new_transaction(api, kind, [], request_id=request_id)
            state.record_received(kind, txn["transactionId"], refs, previous["transactionId"])
            return txn
        errors, apply = evaluate()
        if not errors:
            apply()
        txn = state.new_transaction(api, kind, errors, request_id=request_id)
        state.record_received(kind, txn["transactionId"], refs)
        state.remember_submission(body_hash, txn)
        return txn


# --- Retail Procurement ---------------------------------------------------------------------


def _find_line(doc: dict[str, Any], seq: str | None, asin: str | None, vpi: str | None):
    items = doc["order"]["orderDetails"]["items"]
    if seq is not None:
        for item in items:
            if item["itemSequenceNumber"] == str(seq) or item["itemSequenceNumber"].lstrip(
                "0"
            ) == str(seq).lstrip("0"):
                if asin and item.get("amazonProductIdentifier") not in (None, asin):
                    return None
                return item
        if not asin and not vpi:
            return None
    for item in items:
        if asin and item.get("amazonProductIdentifier") == asin:
            return item
    for item in items:
        if vpi and item.get("vendorProductIdentifier") == vpi:
            return item
    return None


def confirmation_status(line: dict[str, Any]) -> str:
    if not line["acknowledged"]:
        return "UNCONFIRMED"
    taken = line["accepted"] + line["backordered"]
    if taken == 0:
        return "REJECTED"
    if taken >= line["ordered"]:
        return "ACCEPTED"
    return "PARTIALLY_ACCEPTED"


def _maybe_close(doc: dict[str, Any], when: str) -> None:
    lines = doc["lines"].values()
    if not all(line["acknowledged"] for line in lines):
        return
    if all(line["shipped"] >= line["accepted"] + line["backordered"] for line in lines):
        order = doc["order"]
        if order["purchaseOrderState"] != "Closed":
            order["purchaseOrderState"] = "Closed"
            order["orderDetails"]["purchaseOrderStateChangedDate"] = when
            doc["changedAt"] = when


# --- Direct Fulfillment ---------------------------------------------------------------------


def _df_party_errors(doc: dict[str, Any], selling: str, ship_from: str, where: str):
    out = []
    if selling != doc["vendor"]:
        out.append(
            err("INVALID_PARTY_ID", f"sellingParty {selling} does not match the order.", where)
        )
    if ship_from != doc["shipFrom"]:
        out.append(
            err(
                "INVALID_PARTY_ID",
                f"shipFromParty {ship_from} does not match the order ({doc['shipFrom']}).",
                where,
            )
        )
    return out


def _df_line(doc: dict[str, Any], seq: Any, asin: str | None) -> dict[str, Any] | None:
    for item in doc["order"]["orderDetails"]["items"]:
        if seq is not None and str(item["itemSequenceNumber"]).lstrip("0") == str(seq).lstrip("0"):
            return item
    for item in doc["order"]["orderDetails"]["items"]:
        if asin and item.get("buyerProductIdentifier") == asin:
            return item
    return None
